import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Cleanup registered once per test file (jest loads helpers anew for each file): things opened in a
 * test are closed, then temp folders removed, after the file's last test.
 */
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  const failures: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw failures[0];
});

export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

/** A fresh temporary folder, removed after the test file. */
export function tempDir(prefix = 'fw-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A TCP port free on 127.0.0.1 right now, for a server started by another process. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

import path from 'node:path';
import { MIGRATIONS_DIR } from '../../src/paths';
import { readReferenceData } from '../../src/reference/load';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { onCleanup, tempDir } from './temp';

export const REFERENCE_FILE = path.join(__dirname, '..', '..', 'src', 'reference', 'foundations.yaml');

let counter = 0;

/** A migrated SQLite file in a temp folder; statements run are counted when `statements` is passed. */
export function freshStore(options: { statements?: string[]; now?: () => number; dir?: string } = {}): SqliteStore {
  const dir = options.dir ?? tempDir();
  const store = SqliteStore.open({
    path: path.join(dir, `test-${++counter}.db`),
    busyTimeoutMs: 1000,
    migrationsDir: MIGRATIONS_DIR,
    onStatement: options.statements ? (sql) => options.statements!.push(sql) : undefined,
    now: options.now,
  });
  onCleanup(() => store.close());
  return store;
}

/** A migrated store with the repository's reference data loaded. */
export async function referenceStore(options: Parameters<typeof freshStore>[0] = {}): Promise<SqliteStore> {
  const store = freshStore(options);
  await store.loadReferenceData(readReferenceData(REFERENCE_FILE));
  return store;
}

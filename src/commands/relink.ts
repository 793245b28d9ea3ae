import type { Config } from '../config';
import { RELINK_BATCH, relinkAll } from '../ingest/relink';
import type { Logger } from '../log';
import { openReadyStore } from '../main';

/** `foundation-wire relink`: recomputes all mentions after the reference data changed. */
export async function relinkCommand(config: Config, log: Logger): Promise<number> {
  const store = await openReadyStore(config, log);
  try {
    const started = Date.now();
    const count = await relinkAll(store, RELINK_BATCH, (done) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${done} articles relinked`);
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stdout.write(`Relinked ${count} articles in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
    return 0;
  } finally {
    await store.close();
  }
}

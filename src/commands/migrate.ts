import type { Config } from '../config';
import type { Logger } from '../log';
import { openStore } from '../main';

/** `foundation-wire migrate`: applies pending migrations and says where the database stands. */
export async function migrateCommand(config: Config, log: Logger): Promise<number> {
  const store = openStore(config, log);
  const { applied, current } = store.migration;
  await store.close();
  process.stdout.write(
    applied.length
      ? `Applied ${applied.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`).join(', ')}; the database is at version ${current}.\n`
      : `Nothing to apply; the database is at version ${current}.\n`,
  );
  return 0;
}

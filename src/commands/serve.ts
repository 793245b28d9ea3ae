import type { Config } from '../config';
import type { Logger } from '../log';
import { startService } from '../main';

/** `foundation-wire serve`: runs until SIGTERM/SIGINT, then drains and closes cleanly. */
export async function serveCommand(config: Config, log: Logger): Promise<void> {
  const service = await startService(config, log);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'serve: shutting down');
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'serve: unable to shut down cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

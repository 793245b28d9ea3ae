import type { Config } from '../config';
import type { Logger } from '../log';
import { startService } from '../main';

/** Longest a shutdown may take before the process exits anyway. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * `foundation-wire serve`: runs until SIGTERM/SIGINT, then shuts down: /readyz answers 503, the
 * scheduler's fetches are cancelled (saves under way finish), HTTP and WebSocket connections drain
 * (at most 5 s), the database is checkpointed and closed; exit 0. Past 10 s, or at a second signal,
 * it exits at once with code 1.
 */
export async function serveCommand(config: Config, log: Logger): Promise<void> {
  const service = await startService(config, log);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'serve: second signal: exiting now, without waiting for the shutdown');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'serve: shutting down');
    setTimeout(() => {
      log.error({ timeoutMs: STOP_TIMEOUT_MS }, 'serve: the shutdown took too long: exiting now');
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
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

/**
 * Runs tasks with at most `concurrency` at once and at most one at a time per host (politeness: a
 * host with many feeds is fetched one feed after another). Tasks of a busy host wait while tasks
 * of other hosts go ahead.
 */
export async function runPerHost<T>(
  tasks: readonly T[],
  hostOf: (task: T) => string,
  concurrency: number,
  work: (task: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const waiting = [...tasks];
  const busyHosts = new Set<string>();
  let running = 0;
  await new Promise<void>((resolve) => {
    const launch = () => {
      if (signal?.aborted) waiting.length = 0;
      while (running < concurrency) {
        const index = waiting.findIndex((task) => !busyHosts.has(hostOf(task)));
        if (index < 0) break;
        const [task] = waiting.splice(index, 1);
        const host = hostOf(task);
        busyHosts.add(host);
        running++;
        work(task)
          .catch(() => undefined) // a task reports its own failure; one failing never stops the others
          .finally(() => {
            busyHosts.delete(host);
            running--;
            launch();
          });
      }
      if (running === 0 && (waiting.length === 0 || signal?.aborted)) resolve();
    };
    launch();
  });
}

/** The host a feed URL is fetched from (lowercase, without port), for per-host politeness. */
export function hostOfUrl(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return url;
  }
}

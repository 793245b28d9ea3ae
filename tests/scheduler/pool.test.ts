import { hostOfUrl, runPerHost } from '../../src/scheduler/pool';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('runPerHost', () => {
  it('runs at most `concurrency` tasks at once and one per host, and runs every task', async () => {
    const tasks = Array.from({ length: 40 }, (_, i) => ({ id: i, host: `host-${i % 5}` }));
    const active = new Map<string, number>();
    let running = 0;
    let peak = 0;
    let peakPerHost = 0;
    const done: number[] = [];
    await runPerHost(tasks, (t) => t.host, 3, async (task) => {
      running++;
      active.set(task.host, (active.get(task.host) ?? 0) + 1);
      peak = Math.max(peak, running);
      peakPerHost = Math.max(peakPerHost, active.get(task.host)!);
      await tick();
      active.set(task.host, active.get(task.host)! - 1);
      running--;
      done.push(task.id);
    });
    expect(done.sort((a, b) => a - b)).toEqual(tasks.map((t) => t.id));
    expect(peak).toBe(3);
    expect(peakPerHost).toBe(1);
  });

  it('goes on when a task fails', async () => {
    const done: number[] = [];
    await runPerHost([1, 2, 3], () => 'h', 2, async (n) => {
      if (n === 2) throw new Error('boom');
      done.push(n);
    });
    expect(done).toEqual([1, 3]);
  });

  it('starts nothing more once aborted, and still waits for what runs', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    await runPerHost([1, 2, 3, 4], (n) => `h${n}`, 1, async (n) => {
      started.push(n);
      controller.abort();
      await tick();
    }, controller.signal);
    expect(started).toEqual([1]);
  });

  it('names hosts without port or case', () => {
    expect(hostOfUrl('https://Example.ORG:8443/feed')).toBe('example.org');
  });
});

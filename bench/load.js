// The load generator: autocannon in its own process (the runner pins it to core 0), given one JSON
// argument: { url, requests: [{ method, path, headers, body }], connections, warmupSeconds,
// durationSeconds }. A warm-up run (discarded) first, then the measured run; SIGINT ends the
// measured run early (the writer scenario stops when the save is done). Prints one JSON line.
//
// Latencies are kept at full resolution here (autocannon's own histogram is in whole
// milliseconds, too coarse for sub-millisecond responses). A response is an error when its status
// is not 2xx, when the connection fails or times out, or when its body carries GraphQL `errors`.
// With `dump`, each 2xx response's arrival time and latency are also written to that file.
'use strict';
const autocannon = require('autocannon');

const spec = JSON.parse(process.argv[2]);
const hasGraphQLErrors = (body) => body.startsWith('{"errors"') || body.includes('"errors":[{');

function run(seconds, record) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections ?? 10,
        duration: seconds,
        requests: spec.requests,
        timeout: 10,
        verifyBody: (body) => !hasGraphQLErrors(body),
      },
      (err, result) => (err ? reject(err) : resolve({ result, latencies })),
    );
    if (record) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) {
          latencies.push(responseTime);
          if (spec.dump) times.push(Date.now());
        }
      });
      const stop = () => instance.stop();
      process.once('SIGINT', stop);
      process.send?.({ event: 'measuring' });
      process.stdout.write(`${JSON.stringify({ event: 'measuring', at: Date.now() })}\n`);
    }
  });
}

// With spec.dump, each 2xx response's arrival time and latency are written there (Float64 pairs), so
// that the runner can take the figures over a window it learns only during the run.
const times = [];

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null);

(async () => {
  if (spec.warmupSeconds > 0) await run(spec.warmupSeconds, false);
  const started = Date.now();
  const { result, latencies } = await run(spec.durationSeconds, true);
  const seconds = (Date.now() - started) / 1000;
  if (spec.dump) {
    const pairs = new Float64Array(times.length * 2);
    times.forEach((t, i) => {
      pairs[2 * i] = t;
      pairs[2 * i + 1] = latencies[i];
    });
    require('node:fs').writeFileSync(spec.dump, Buffer.from(pairs.buffer));
  }
  latencies.sort((a, b) => a - b);
  const round = (x) => (x === null ? null : Math.round(x * 100) / 100);
  const requests = result.requests.total;
  process.stdout.write(
    `${JSON.stringify({
      event: 'result',
      seconds: round(seconds),
      requests,
      rps: round(requests / seconds),
      p50: round(percentile(latencies, 50)),
      p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies[latencies.length - 1] ?? null),
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      graphqlErrors: result.mismatches,
      statusCodes: result.statusCodeStats,
    })}\n`,
  );
})().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * Throughput under concurrent clients, bounded both in time and in request count, so a fast target or a
 * large `seconds` cannot make a run unbounded. The requests go to a `BenchTarget` (bench/lib/app.ts),
 * which is loopback only.
 */
import { formatInteger } from "./stats";

export type LoadResult = { requests: number; seconds: number; perSecond: number };

/**
 * `clients` loops, each sending `request` and awaiting it before the next, until `seconds` have passed or
 * `maxRequests` have been started across all clients. Requests in flight at the deadline are awaited.
 */
export async function concurrentLoad(
  { clients, seconds, maxRequests }: { clients: number; seconds: number; maxRequests: number },
  request: () => Promise<unknown>,
): Promise<LoadResult> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let begun = 0;
  let requests = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline && begun < maxRequests) {
        begun += 1;
        await request();
        requests += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { requests, seconds: elapsed, perSecond: requests / elapsed };
}

/** "1,234 req/s (2,468 requests in 2.0 s)" */
export function describeLoad(load: LoadResult): string {
  return (
    `${formatInteger(load.perSecond)} req/s ` +
    `(${load.requests.toLocaleString("en-US")} requests in ${load.seconds.toFixed(1)} s)`
  );
}

/**
 * Sampling and formatting shared by the bench scripts. Durations are nanoseconds, from Bun.nanoseconds().
 */

/** The value at quantile `q` (0..1) of an ascending array: the nearest rank at or below. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** `quantile` of values in any order; sorts a copy. */
export function quantileOf(values: readonly number[], q: number): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    q,
  );
}

export type Timing = { median: number; p99: number; perSecond: number };

function summarize(samples: Float64Array, elapsedNs: number): Timing {
  samples.sort();
  return {
    median: quantile(samples, 0.5),
    p99: quantile(samples, 0.99),
    perSecond: samples.length / (elapsedNs / 1e9),
  };
}

/**
 * Runs `work` `warmup` times untimed, then `runs` times one after another, timing each call. `perSecond`
 * comes from the timed loop, so it includes the clock reads.
 */
export async function timed(
  runs: number,
  work: () => unknown,
  { warmup }: { warmup: number },
): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await work();
  const samples = new Float64Array(runs);
  const started = Bun.nanoseconds();
  for (let i = 0; i < runs; i++) {
    const t0 = Bun.nanoseconds();
    await work();
    samples[i] = Bun.nanoseconds() - t0;
  }
  return summarize(samples, Bun.nanoseconds() - started);
}

/**
 * `timed` for synchronous work of a few microseconds or less, where an `await` per call would be a large
 * part of what is measured. `work` gets the call's index (warm-up calls count from 0 too) and returns a
 * number; the numbers are summed into `checksum` so the JIT cannot drop a call whose result is unused.
 */
export function timedSync(
  runs: number,
  work: (index: number) => number,
  { warmup }: { warmup: number },
): Timing & { checksum: number } {
  let checksum = 0;
  for (let i = 0; i < warmup; i++) checksum += work(i);
  const samples = new Float64Array(runs);
  const started = Bun.nanoseconds();
  for (let i = 0; i < runs; i++) {
    const t0 = Bun.nanoseconds();
    checksum += work(i);
    samples[i] = Bun.nanoseconds() - t0;
  }
  return { ...summarize(samples, Bun.nanoseconds() - started), checksum };
}

export const ms = (ns: number) => `${(ns / 1e6).toFixed(3)} ms`;
export const us = (ns: number, decimals = 2) => `${(ns / 1e3).toFixed(decimals)} µs`;
/** Rounded, with thousands separators: 1,583,667. */
export const formatInteger = (value: number) => Math.round(value).toLocaleString("en-US");

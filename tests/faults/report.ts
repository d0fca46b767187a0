import type { LoadRecord } from "./load";

/** One line of figures per scenario, for the closing note; printed, never asserted as timings. */
export function report(
  scenario: string,
  record: LoadRecord,
  writes: { writes: number; found: number } | null,
  extra: Record<string, number | string | null> = {},
): void {
  const fiveHundreds = Object.entries(record.statuses)
    .filter(([status]) => Number(status) >= 500 && Number(status) !== 503)
    .reduce((sum, [, count]) => sum + count, 0);
  const figures = {
    sent: record.sent,
    acknowledged: record.acknowledged,
    ...(writes ? { "acknowledged writes": writes.writes, "found once": writes.found } : {}),
    "5xx other than 503": fiveHundreds,
    "503": record.unavailable,
    "no answer": record.statuses[0] ?? 0,
    "slowest ms": Math.round(record.slowestMs),
    ...extra,
  };
  console.log(`FAULT ${scenario}: ${JSON.stringify(figures)}`);
}

/** Waits for `condition`, polling; throws with `what` after `timeoutMs` (a generous bound, never a timing claim). */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

import { daysPastDue, type InstalmentDue, instalmentRemainingCents } from "./repayment";

export type DelinquencyPolicy = {
  /** An unpaid instalment is late once more than this many days have passed since its due day. */
  graceDays: number;
  /** The loan should default once its oldest unpaid instalment is more than this many days past due. */
  defaultAfterDays: number;
};

export type DelinquencyAssessment = {
  /** `n` of every instalment with something unpaid past its grace period, in due order. */
  lateInstalments: number[];
  shouldDefault: boolean;
  /** Days the oldest unpaid, already due instalment is past its due day; 0 when none is. */
  daysPastDue: number;
};

/**
 * Late detection for one loan, as of `now` (a parameter so the daily job and tests choose the clock).
 * Both thresholds count whole UTC days from the due day, as loan-servicing systems count days past due.
 */
export function assessDelinquency(
  instalments: readonly InstalmentDue[],
  now: Date,
  policy: DelinquencyPolicy,
): DelinquencyAssessment {
  const { graceDays, defaultAfterDays } = policy;
  if (!Number.isInteger(graceDays) || graceDays < 0)
    throw new RangeError("graceDays must be a non-negative integer");
  if (!Number.isInteger(defaultAfterDays) || defaultAfterDays < graceDays) {
    throw new RangeError("defaultAfterDays must be an integer no smaller than graceDays");
  }
  const unpaid = instalments
    .filter((item) => instalmentRemainingCents(item) > 0)
    .sort((a, b) => a.dueDate.getTime() - b.dueDate.getTime() || a.n - b.n);
  const oldest = unpaid[0];
  const worst = oldest ? Math.max(0, daysPastDue(oldest, now)) : 0;
  return {
    lateInstalments: unpaid.filter((item) => daysPastDue(item, now) > graceDays).map((item) => item.n),
    shouldDefault: worst > defaultAfterDays,
    daysPastDue: worst,
  };
}

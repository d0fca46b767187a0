import { daysBetween } from "./dates";
import { type InstalmentDue, instalmentRemainingCents } from "./repayment";

/**
 * Interest accrued on an instalment by a given day, and the exact payoff built on it.
 *
 * An instalment's interest accrues day by day over its period, from the previous instalment's due day (the
 * payout for the first) to its own; a re-amortisation can start a period mid-way (`accrualStart`), with
 * `accruedBeforeCents` of the instalment's interest already accrued at that start. Rounding is half-up to the cent.
 */

export type AccruingInstalment = InstalmentDue & {
  accrualStart: Date | null;
  accruedBeforeCents: number;
};

export type PayoffBreakdown = {
  principalCents: number;
  /** Interest due and unpaid on instalments due by the day, plus the current period's accrued interest. */
  interestCents: number;
  feesCents: number;
  amountCents: number;
  /** What is due by the day (instalments due on or before it), interest and principal. */
  dueCents: number;
  /** Interest accrued but not yet due (the current period's share), unpaid. */
  accruedCents: number;
};

/** round-half-up(a × b / c) for non-negative integers, exact at any size. */
export function mulDivHalfUp(a: number, b: number, c: number): number {
  return Number((2n * BigInt(a) * BigInt(b) + BigInt(c)) / (2n * BigInt(c)));
}

export function byDue<T extends Pick<InstalmentDue, "dueDate" | "n">>(a: T, b: T): number {
  return a.dueDate.getTime() - b.dueDate.getTime() || a.n - b.n;
}

/** Each instalment with the day its interest starts accruing, in due order. */
export function withPeriodStarts<T extends AccruingInstalment>(
  rows: readonly T[],
  loanStart: Date,
): { row: T; start: Date }[] {
  const sorted = [...rows].sort(byDue);
  return sorted.map((row, index) => ({
    row,
    start: row.accrualStart ?? sorted[index - 1]?.dueDate ?? loanStart,
  }));
}

/** The instalment's interest accrued by `day` (its whole interest from its due day on). */
export function accruedInterestCents(row: AccruingInstalment, start: Date, day: Date): number {
  const period = daysBetween(start, row.dueDate);
  const elapsed = daysBetween(start, day);
  if (elapsed >= period) return row.interestCents;
  if (elapsed <= 0) return row.accruedBeforeCents;
  const accruing = row.interestCents - row.accruedBeforeCents;
  return row.accruedBeforeCents + mulDivHalfUp(accruing, elapsed, period);
}

/**
 * What closes the loan on `day`: all the principal still owed, the interest due and unpaid, the interest accrued
 * in the running period, and the fees receivable. Interest of periods after `day` is not owed.
 */
export function payoffOn(
  rows: readonly AccruingInstalment[],
  loanStart: Date,
  day: Date,
  feesCents: number,
): PayoffBreakdown {
  let principal = 0;
  let dueInterest = 0;
  let due = 0;
  let accrued = 0;
  for (const { row, start } of withPeriodStarts(rows, loanStart)) {
    principal += Math.max(0, row.principalCents - row.paidPrincipalCents);
    if (daysBetween(row.dueDate, day) >= 0) {
      dueInterest += Math.max(0, row.interestCents - row.paidInterestCents);
      due += instalmentRemainingCents(row);
    } else {
      accrued += Math.max(0, accruedInterestCents(row, start, day) - row.paidInterestCents);
    }
  }
  const interest = dueInterest + accrued;
  return {
    principalCents: principal,
    interestCents: interest,
    feesCents,
    amountCents: principal + interest + feesCents,
    dueCents: due,
    accruedCents: accrued,
  };
}

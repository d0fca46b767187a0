import type { InstalmentState } from "../../db/schema/loan-values";
import { formatMoney } from "../money";
import { daysBetween } from "./dates";

/**
 * Repayments against a fixed schedule. What is owed is what the schedule says (scheduled principal and
 * interest, less what was paid); an early payment pays the next instalments as scheduled, it does not
 * re-amortize, so paying `outstandingCents` closes the loan.
 */

export type InstalmentDue = {
  n: number;
  dueDate: Date;
  principalCents: number;
  interestCents: number;
  paidPrincipalCents: number;
  paidInterestCents: number;
};

export type InstalmentAllocation = { n: number; principalCents: number; interestCents: number };

export type RepaymentAllocation = {
  /** Only instalments that receive something, in the order they were paid. */
  allocations: InstalmentAllocation[];
  principalCents: number;
  interestCents: number;
  outstandingAfterCents: number;
};

export type RepaymentErrorCode = "INVALID_AMOUNT" | "OVERPAYMENT" | "NOTHING_OUTSTANDING";

export class RepaymentError extends Error {
  override name = "RepaymentError";
  constructor(
    readonly code: RepaymentErrorCode,
    message: string,
    readonly outstandingCents: number,
  ) {
    super(message);
  }
}

const remainingInterest = (item: InstalmentDue) => Math.max(0, item.interestCents - item.paidInterestCents);
const remainingPrincipal = (item: InstalmentDue) =>
  Math.max(0, item.principalCents - item.paidPrincipalCents);

/** What remains due on the instalment (interest and principal). */
export function instalmentRemainingCents(item: InstalmentDue): number {
  return remainingInterest(item) + remainingPrincipal(item);
}

/** What remains due on the whole schedule; paying it closes the loan. */
export function outstandingCents(instalments: readonly InstalmentDue[]): number {
  return instalments.reduce((sum, item) => sum + instalmentRemainingCents(item), 0);
}

function byDueDate(a: InstalmentDue, b: InstalmentDue): number {
  return a.dueDate.getTime() - b.dueDate.getTime() || a.n - b.n;
}

/**
 * Splits a payment over the instalments: the earliest due first, and within an instalment interest
 * before principal, then on to the next. Refuses a zero, negative or fractional amount and more than
 * the outstanding balance (`RepaymentError`, map to 4xx).
 */
export function allocateRepayment(
  instalments: readonly InstalmentDue[],
  amountCents: number,
): RepaymentAllocation {
  const outstanding = outstandingCents(instalments);
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) {
    throw new RepaymentError("INVALID_AMOUNT", "The repayment amount must be greater than zero", outstanding);
  }
  if (outstanding === 0) {
    throw new RepaymentError("NOTHING_OUTSTANDING", "Nothing is outstanding on this loan", outstanding);
  }
  if (amountCents > outstanding) {
    throw new RepaymentError(
      "OVERPAYMENT",
      `The repayment of ${formatMoney(amountCents)} is more than the outstanding ${formatMoney(outstanding)}`,
      outstanding,
    );
  }

  let left = amountCents;
  let principalTotal = 0;
  let interestTotal = 0;
  const allocations: InstalmentAllocation[] = [];
  for (const item of [...instalments].sort(byDueDate)) {
    if (left === 0) break;
    const interest = Math.min(left, remainingInterest(item));
    left -= interest;
    const principal = Math.min(left, remainingPrincipal(item));
    left -= principal;
    if (interest + principal === 0) continue;
    allocations.push({ n: item.n, principalCents: principal, interestCents: interest });
    principalTotal += principal;
    interestTotal += interest;
  }
  return {
    allocations,
    principalCents: principalTotal,
    interestCents: interestTotal,
    outstandingAfterCents: outstanding - amountCents,
  };
}

/** The instalments with an allocation's amounts added to what was paid. */
export function applyAllocation<T extends InstalmentDue>(
  instalments: readonly T[],
  allocation: RepaymentAllocation,
): T[] {
  const byN = new Map(allocation.allocations.map((line) => [line.n, line]));
  return instalments.map((item) => {
    const line = byN.get(item.n);
    if (!line) return item;
    return {
      ...item,
      paidPrincipalCents: item.paidPrincipalCents + line.principalCents,
      paidInterestCents: item.paidInterestCents + line.interestCents,
    };
  });
}

/** Whole days from the due day to `now`'s day (UTC); 0 or less until the due day has passed. */
export function daysPastDue(item: Pick<InstalmentDue, "dueDate">, now: Date): number {
  return daysBetween(item.dueDate, now);
}

/**
 * `paid` when nothing remains; `late` when something remains more than `graceDays` days after the due day
 * (a payment on the last day of grace is on time), partly paid or not; otherwise `partially_paid` if
 * anything was paid, else `pending`.
 */
export function instalmentState(item: InstalmentDue, now: Date, graceDays: number): InstalmentState {
  if (instalmentRemainingCents(item) === 0) return "paid";
  if (daysPastDue(item, now) > graceDays) return "late";
  return item.paidPrincipalCents + item.paidInterestCents > 0 ? "partially_paid" : "pending";
}

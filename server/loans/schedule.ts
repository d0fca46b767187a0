import type { ScheduleType } from "../../db/schema/loan-values";
import { MAX_TERM_MONTHS } from "../config";
import { addMonthsClamped, utcDay } from "./dates";

/**
 * Amortization schedules in exact integer cents.
 *
 * The monthly rate is APR / 12, as a rational (basis points / 120 000), and interest for a month is the
 * opening balance times that rate, rounded half-up to the cent. Interest is per period: a first period
 * longer or shorter than a month (a custom `firstDueDate`) is not prorated.
 */

export type ScheduleParams = {
  principalCents: number;
  aprBasisPoints: number;
  termMonths: number;
  scheduleType: ScheduleType;
  /** The day the loan starts (disbursement); instalments fall due monthly from it. */
  startDate: Date;
  /** Default: one month after `startDate`. Later instalments are monthly from this date. */
  firstDueDate?: Date;
};

export type ScheduledInstalment = {
  n: number;
  /** 00:00 UTC of the due day. */
  dueDate: Date;
  paymentCents: number;
  principalCents: number;
  interestCents: number;
  /** Principal still owed after this instalment. */
  balanceCents: number;
};

export type Schedule = {
  /** Equal instalments: the level payment (the last may differ by rounding). Equal principal: the first payment. */
  monthlyPaymentCents: number;
  totalInterestCents: number;
  totalPayableCents: number;
  /** The day of the month instalments fall due (a short month moves them to its last day). */
  dueDayOfMonth: number;
  instalments: ScheduledInstalment[];
};

export class ScheduleError extends RangeError {
  override name = "ScheduleError";
}

const MONTHLY_RATE_DENOMINATOR = 120_000; // basis points per unit × 12 months

/** round-half-up(a × b / c) for non-negative integers, exact at any size. */
function mulDivRoundHalfUp(a: number, b: number, c: number): number {
  const doubled = 2 * a * b + c;
  if (Number.isSafeInteger(doubled) && Number.isSafeInteger(2 * c)) {
    // Integer remainder is exact in doubles, so this is floor(doubled / 2c) without float rounding.
    return (doubled - (doubled % (2 * c))) / (2 * c);
  }
  return Number((2n * BigInt(a) * BigInt(b) + BigInt(c)) / (2n * BigInt(c)));
}

/**
 * The level payment P·r / (1 − (1 + r)^−n), rounded half-up to the cent, computed exactly.
 * With r = b / d (b basis points, d = 120 000) and a = d + b it is P·b·aⁿ / (d·(aⁿ − dⁿ)).
 */
export function annuityPaymentCents(
  principalCents: number,
  aprBasisPoints: number,
  termMonths: number,
): number {
  if (aprBasisPoints === 0) return Math.floor(principalCents / termMonths);
  const b = BigInt(aprBasisPoints);
  const d = BigInt(MONTHLY_RATE_DENOMINATOR);
  const n = BigInt(termMonths);
  const aPowN = (d + b) ** n;
  const numerator = BigInt(principalCents) * b * aPowN;
  const denominator = d * (aPowN - d ** n);
  return Number((2n * numerator + denominator) / (2n * denominator));
}

/** Interest for one month on `balanceCents`, rounded half-up to the cent. */
export function monthlyInterestCents(balanceCents: number, aprBasisPoints: number): number {
  return mulDivRoundHalfUp(balanceCents, aprBasisPoints, MONTHLY_RATE_DENOMINATOR);
}

function validate(params: ScheduleParams): void {
  const { principalCents, aprBasisPoints, termMonths, startDate, firstDueDate } = params;
  if (!Number.isSafeInteger(principalCents) || principalCents <= 0) {
    throw new ScheduleError(`principalCents must be a positive integer, got ${principalCents}`);
  }
  if (!Number.isSafeInteger(aprBasisPoints) || aprBasisPoints < 0) {
    throw new ScheduleError(`aprBasisPoints must be a non-negative integer, got ${aprBasisPoints}`);
  }
  if (!Number.isInteger(termMonths) || termMonths < 1 || termMonths > MAX_TERM_MONTHS) {
    throw new ScheduleError(`termMonths must be an integer from 1 to ${MAX_TERM_MONTHS}, got ${termMonths}`);
  }
  if (!(params.scheduleType === "equal_installments" || params.scheduleType === "equal_principal")) {
    throw new ScheduleError(`unknown scheduleType ${String(params.scheduleType)}`);
  }
  if (Number.isNaN(startDate.getTime())) throw new ScheduleError("startDate is not a valid date");
  if (firstDueDate && !(utcDay(firstDueDate) > utcDay(startDate))) {
    throw new ScheduleError("firstDueDate must be after startDate");
  }
}

/**
 * Builds the schedule. Rounding always lands on the last instalment: its principal is whatever balance
 * remains, so principal sums to the amount exactly and the balance ends at 0.
 *
 * - `equal_installments`: payment = P·r / (1 − (1 + r)^−n) rounded half-up; each month's principal is the
 *   payment minus that month's interest. At 0 % the payment is floor(P / n), the remainder on the last.
 * - `equal_principal` (declining balance): principal floor(P / n) a month, the remainder on the last;
 *   interest on the declining balance, so payments fall over time.
 */
export function amortizationSchedule(params: ScheduleParams): Schedule {
  validate(params);
  const { principalCents, aprBasisPoints, termMonths, scheduleType } = params;
  const anchor = utcDay(params.firstDueDate ?? params.startDate);
  const anchorOffset = params.firstDueDate ? 0 : 1;

  const level =
    scheduleType === "equal_installments"
      ? annuityPaymentCents(principalCents, aprBasisPoints, termMonths)
      : Math.floor(principalCents / termMonths);

  const instalments: ScheduledInstalment[] = [];
  let balance = principalCents;
  let totalInterest = 0;
  for (let n = 1; n <= termMonths; n++) {
    const interest = monthlyInterestCents(balance, aprBasisPoints);
    let principal: number;
    if (n === termMonths) principal = balance;
    else if (scheduleType === "equal_installments")
      principal = Math.min(Math.max(level - interest, 0), balance);
    else principal = Math.min(level, balance);
    balance -= principal;
    totalInterest += interest;
    instalments.push({
      n,
      dueDate: addMonthsClamped(anchor, n - 1 + anchorOffset),
      paymentCents: principal + interest,
      principalCents: principal,
      interestCents: interest,
      balanceCents: balance,
    });
  }

  const first = instalments[0] as ScheduledInstalment;
  return {
    monthlyPaymentCents: scheduleType === "equal_installments" && termMonths > 1 ? level : first.paymentCents,
    totalInterestCents: totalInterest,
    totalPayableCents: principalCents + totalInterest,
    dueDayOfMonth: anchor.getUTCDate(),
    instalments,
  };
}

import type { ScheduleType } from "../../db/schema/loan-values";
import { MAX_TERM_MONTHS } from "../config";
import { addMonthsClamped } from "./dates";
import { annuityPaymentCents, monthlyInterestCents } from "./schedule";

/**
 * The rest of a schedule rebuilt from a principal balance, for prepayments and restructures. Either the number
 * of instalments is kept (the instalment drops) or the instalment is kept (the term shortens). Rounding lands on
 * the last instalment, whose principal is whatever balance remains.
 */

export type TailMode =
  /** So many instalments; the level payment (or principal part) is recomputed. */
  | { count: number }
  /** Equal instalments: this payment; equal principal: this principal part. As many instalments as it takes. */
  | { level: number };

export type TailParams = {
  principalCents: number;
  aprBasisPoints: number;
  scheduleType: ScheduleType;
  /** Later instalments fall due monthly from it. */
  firstDueDate: Date;
  /** The first instalment's interest at the rate, when its period is not a whole month. */
  firstRateInterestCents?: number;
  /** Interest already earned that the first instalment also collects (not part of the level payment). */
  extraFirstInterestCents?: number;
  mode: TailMode;
};

export type TailInstalment = { dueDate: Date; principalCents: number; interestCents: number };

export type Tail = {
  instalments: TailInstalment[];
  /** Equal instalments: the level payment; equal principal: the first payment. */
  monthlyPaymentCents: number;
};

export class ReamortisationError extends RangeError {
  override name = "ReamortisationError";
}

export function amortiseTail(params: TailParams): Tail {
  const { principalCents, aprBasisPoints, scheduleType, mode } = params;
  if (!Number.isSafeInteger(principalCents) || principalCents <= 0) {
    throw new ReamortisationError("the balance to re-amortise must be positive");
  }
  const count = "count" in mode ? mode.count : MAX_TERM_MONTHS;
  if (!Number.isInteger(count) || count < 1 || count > MAX_TERM_MONTHS) {
    throw new ReamortisationError(`the number of instalments must be from 1 to ${MAX_TERM_MONTHS}`);
  }
  const level =
    "level" in mode
      ? mode.level
      : scheduleType === "equal_installments"
        ? annuityPaymentCents(principalCents, aprBasisPoints, count)
        : Math.floor(principalCents / count);

  const instalments: TailInstalment[] = [];
  let balance = principalCents;
  for (let k = 0; balance > 0; k++) {
    if (k >= count) throw new ReamortisationError("the instalment is too small to ever repay the balance");
    const rateInterest =
      k === 0 && params.firstRateInterestCents !== undefined
        ? params.firstRateInterestCents
        : monthlyInterestCents(balance, aprBasisPoints);
    const last = "count" in mode && k === count - 1;
    let principal: number;
    if (last) principal = balance;
    else if (scheduleType === "equal_installments")
      principal = Math.min(Math.max(level - rateInterest, 0), balance);
    else principal = Math.min(level, balance);
    if (principal === 0 && !last && "level" in mode) {
      throw new ReamortisationError("the instalment does not cover the interest");
    }
    balance -= principal;
    instalments.push({
      dueDate: addMonthsClamped(params.firstDueDate, k),
      principalCents: principal,
      interestCents: rateInterest + (k === 0 ? (params.extraFirstInterestCents ?? 0) : 0),
    });
  }
  const first = instalments[0] as TailInstalment;
  return {
    instalments,
    monthlyPaymentCents:
      scheduleType === "equal_installments" && instalments.length > 1
        ? level
        : first.principalCents + first.interestCents,
  };
}

/** An instalment written by a re-amortisation: its amounts, and where its interest starts accruing. */
export type PlannedInstalment = {
  n: number;
  dueDate: Date;
  principalCents: number;
  interestCents: number;
  accrualStart: Date | null;
  accruedBeforeCents: number;
};

/** How a re-amortisation changes the stored schedule; paid amounts of `rewrite` rows are the caller's. */
export type SchedulePlan = {
  /** Existing instalments given new amounts (paid amounts unchanged unless the caller adds a payment). */
  rewrite: (PlannedInstalment & { state?: "restructured" })[];
  /** Existing instalments with nothing paid that disappear. */
  remove: number[];
  add: PlannedInstalment[];
  aprBasisPoints: number;
  monthlyPaymentCents: number;
  /** Instalments in the schedule afterwards. */
  termMonths: number;
};

import type { ScheduleType } from "../../db/schema/loan-values";
import { type AccruingInstalment, accruedInterestCents, withPeriodStarts } from "./accrual";
import { addMonthsClamped, daysBetween } from "./dates";
import { amortiseTail, type PlannedInstalment, ReamortisationError, type SchedulePlan } from "./reamortise";

/**
 * A restructure from an effective day: the instalments due after it are replaced by a new schedule whose first
 * instalment falls due a month after that day, at the new rate and over the new term. The interest accrued in
 * the running period up to that day is kept: capitalised with the arrears, or collected by the first new
 * instalment. Arrears (instalments due by that day, unpaid) are either capitalised into the new principal (their
 * instalments then show `restructured`) or stay due as they were.
 */

export type RestructureParams = {
  rows: readonly AccruingInstalment[];
  loanStart: Date;
  effectiveDate: Date;
  aprBasisPoints: number;
  scheduleType: ScheduleType;
  /** Null: as many instalments as the old schedule still had after the effective day (at least one). */
  termMonths: number | null;
  capitaliseArrears: boolean;
  /** Fees receivable, capitalised with the arrears. */
  feesCents: number;
};

export type RestructurePlan = {
  schedule: SchedulePlan;
  /** The new schedule's principal. */
  principalCents: number;
  /** What moved into principal: arrears principal, arrears and accrued interest, fees. */
  capitalised: { principalCents: number; interestCents: number; feesCents: number };
  /** Interest accrued in the running period up to the effective day, unpaid. */
  accruedInterestCents: number;
};

export function planRestructure(params: RestructureParams): RestructurePlan {
  const { effectiveDate: day } = params;
  const periods = withPeriodStarts(params.rows, params.loanStart);
  const due = periods.filter(({ row }) => daysBetween(row.dueDate, day) >= 0).map(({ row }) => row);
  const future = periods.filter(({ row }) => daysBetween(row.dueDate, day) < 0);

  let accrued = 0;
  for (const { row, start } of future) {
    accrued += Math.max(0, accruedInterestCents(row, start, day) - row.paidInterestCents);
  }
  const remainingPrincipal = (row: AccruingInstalment) => row.principalCents - row.paidPrincipalCents;
  const remainingInterest = (row: AccruingInstalment) => row.interestCents - row.paidInterestCents;
  const futurePrincipal = future.reduce((sum, { row }) => sum + remainingPrincipal(row), 0);
  const openFuture = future.filter(({ row }) => remainingPrincipal(row) + remainingInterest(row) > 0).length;

  const rewrite: SchedulePlan["rewrite"] = [];
  const remove: number[] = [];
  const shrunk = (row: AccruingInstalment): PlannedInstalment => ({
    n: row.n,
    dueDate: row.dueDate,
    principalCents: row.paidPrincipalCents,
    interestCents: row.paidInterestCents,
    accrualStart: row.accrualStart,
    accruedBeforeCents: Math.min(row.accruedBeforeCents, row.paidInterestCents),
  });

  const capitalised = { principalCents: 0, interestCents: 0, feesCents: 0 };
  if (params.capitaliseArrears) {
    for (const row of due) {
      if (remainingPrincipal(row) + remainingInterest(row) === 0) continue;
      capitalised.principalCents += remainingPrincipal(row);
      capitalised.interestCents += remainingInterest(row);
      rewrite.push({ ...shrunk(row), state: "restructured" });
    }
    capitalised.interestCents += accrued;
    capitalised.feesCents = params.feesCents;
  }
  for (const { row } of future) {
    if (row.paidPrincipalCents + row.paidInterestCents === 0) remove.push(row.n);
    else if (remainingPrincipal(row) + remainingInterest(row) > 0) rewrite.push(shrunk(row));
  }

  const principal =
    futurePrincipal + capitalised.principalCents + capitalised.interestCents + capitalised.feesCents;
  if (principal <= 0)
    throw new ReamortisationError("nothing is left to restructure after the effective date");
  const extra = params.capitaliseArrears ? 0 : accrued;
  const tail = amortiseTail({
    principalCents: principal,
    aprBasisPoints: params.aprBasisPoints,
    scheduleType: params.scheduleType,
    firstDueDate: addMonthsClamped(day, 1),
    extraFirstInterestCents: extra,
    mode: { count: params.termMonths ?? Math.max(1, openFuture) },
  });
  const removed = new Set(remove);
  const kept = params.rows.filter((row) => !removed.has(row.n));
  const nextN = kept.reduce((max, row) => Math.max(max, row.n), 0) + 1;
  return {
    schedule: {
      rewrite,
      remove,
      add: tail.instalments.map((item, index) => ({
        n: nextN + index,
        dueDate: item.dueDate,
        principalCents: item.principalCents,
        interestCents: item.interestCents,
        accrualStart: index === 0 ? day : null,
        accruedBeforeCents: index === 0 ? extra : 0,
      })),
      aprBasisPoints: params.aprBasisPoints,
      monthlyPaymentCents: tail.monthlyPaymentCents,
      termMonths: kept.length + tail.instalments.length,
    },
    principalCents: principal,
    capitalised,
    accruedInterestCents: accrued,
  };
}

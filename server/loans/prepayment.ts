import type { PrepaymentChoice } from "../../db/schema";
import type { ScheduleType } from "../../db/schema/loan-values";
import { type AccruingInstalment, accruedInterestCents, withPeriodStarts } from "./accrual";
import { daysBetween } from "./dates";
import { amortiseTail, type SchedulePlan } from "./reamortise";
import type { InstalmentAllocation, RepaymentAllocation } from "./repayment";

/**
 * A payment that exceeds what is due, booked as a prepayment: it pays what is due (earliest first, interest
 * before principal), then fees receivable, then the interest accrued in the running period, and the rest reduces
 * the principal. The
 * running instalment keeps its due day and collects, besides what was prepaid, the new first payment (interest on
 * the reduced balance for the rest of its period); the later instalments are rebuilt as the borrower chose.
 */

export type PrepaymentTerms = {
  aprBasisPoints: number;
  scheduleType: ScheduleType;
  /** The current level payment (equal instalments), kept when the term shortens. */
  monthlyPaymentCents: number;
};

export type PrepaymentParams = {
  rows: readonly AccruingInstalment[];
  loanStart: Date;
  day: Date;
  amountCents: number;
  choice: PrepaymentChoice;
  terms: PrepaymentTerms;
  /** Fees receivable: paid after what is due and before the accrued interest and the principal. */
  feesCents?: number;
};

export type PrepaymentPlan = {
  allocation: RepaymentAllocation;
  /** Beyond everything owed: back to the borrower. */
  unallocatedCents: number;
  /** Null when nothing reached the principal ahead of schedule. */
  schedule: SchedulePlan | null;
  /** The principal paid ahead of schedule. */
  prepaidPrincipalCents: number;
  /** Fees receivable paid. */
  feesCents: number;
};

const MONTHLY_RATE_DENOMINATOR = 120_000n;

export function planPrepayment(params: PrepaymentParams): PrepaymentPlan {
  const { rows, day } = params;
  const periods = withPeriodStarts(rows, params.loanStart);
  const lines = new Map<number, InstalmentAllocation>();
  const add = (n: number, principal: number, interest: number) => {
    if (principal + interest === 0) return;
    const line = lines.get(n) ?? { n, principalCents: 0, interestCents: 0 };
    line.principalCents += principal;
    line.interestCents += interest;
    lines.set(n, line);
  };
  let left = params.amountCents;

  const isDue = (row: AccruingInstalment) => daysBetween(row.dueDate, day) >= 0;
  for (const { row } of periods.filter(({ row }) => isDue(row))) {
    const interest = Math.min(left, Math.max(0, row.interestCents - row.paidInterestCents));
    left -= interest;
    const principal = Math.min(left, Math.max(0, row.principalCents - row.paidPrincipalCents));
    left -= principal;
    add(row.n, principal, interest);
  }
  const fees = Math.min(left, params.feesCents ?? 0);
  left -= fees;
  const future = periods.filter(({ row }) => !isDue(row));
  const accruedPaid = new Map<number, number>();
  for (const { row, start } of future) {
    const interest = Math.min(
      left,
      Math.max(0, accruedInterestCents(row, start, day) - row.paidInterestCents),
    );
    left -= interest;
    accruedPaid.set(row.n, interest);
    add(row.n, 0, interest);
  }

  const remainingPrincipal = (row: AccruingInstalment) => row.principalCents - row.paidPrincipalCents;
  const futurePrincipal = future.reduce((sum, { row }) => sum + remainingPrincipal(row), 0);
  const prepaid = Math.min(left, futurePrincipal);
  left -= prepaid;
  const current = future.find(
    ({ row }) => remainingPrincipal(row) + row.interestCents - row.paidInterestCents > 0,
  );
  let schedule: SchedulePlan | null = null;
  if (prepaid > 0 && current) {
    add(current.row.n, prepaid, 0);
    schedule = rebuild(
      params,
      future,
      current,
      prepaid,
      futurePrincipal,
      accruedPaid.get(current.row.n) ?? 0,
    );
  }

  const allocations = [...lines.values()];
  const principalCents = allocations.reduce((sum, line) => sum + line.principalCents, 0);
  const interestCents = allocations.reduce((sum, line) => sum + line.interestCents, 0);
  const owedBefore = rows.reduce(
    (sum, row) =>
      sum + row.principalCents - row.paidPrincipalCents + row.interestCents - row.paidInterestCents,
    0,
  );
  return {
    allocation: {
      allocations,
      principalCents,
      interestCents,
      outstandingAfterCents: schedule
        ? scheduleOwedAfter(rows, schedule, lines)
        : owedBefore - principalCents - interestCents,
    },
    unallocatedCents: left,
    schedule,
    prepaidPrincipalCents: prepaid,
    feesCents: fees,
  };
}

type Period = { row: AccruingInstalment; start: Date };

function rebuild(
  params: PrepaymentParams,
  future: Period[],
  current: Period,
  prepaid: number,
  futurePrincipal: number,
  accruedInterestPaid: number,
): SchedulePlan {
  const { day, terms } = params;
  const { row, start } = current;
  const later = future.filter(
    (period) =>
      period.row.dueDate > row.dueDate ||
      (period.row.dueDate.getTime() === row.dueDate.getTime() && period.row.n > row.n),
  );
  if (later.some((period) => period.row.paidPrincipalCents + period.row.paidInterestCents > 0)) {
    throw new Error(`instalments after ${row.n} were paid ahead of it; cannot re-amortise`);
  }
  const paidPrincipal = row.paidPrincipalCents + prepaid;
  const paidInterest = row.paidInterestCents + accruedInterestPaid;
  const balance = futurePrincipal - prepaid;
  const unchanged = params.rows.length - later.length;
  // The running instalment's period may not have started yet (the one before it was paid ahead).
  const from = new Date(Math.max(start.getTime(), day.getTime()));
  if (balance === 0) {
    return {
      rewrite: [
        {
          ...plannedOf(row),
          principalCents: paidPrincipal,
          interestCents: paidInterest,
          accrualStart: from,
          accruedBeforeCents: paidInterest,
        },
      ],
      remove: later.map((period) => period.row.n),
      add: [],
      aprBasisPoints: terms.aprBasisPoints,
      monthlyPaymentCents: terms.monthlyPaymentCents,
      termMonths: unchanged,
    };
  }
  // Interest paid before this day beyond what had accrued by it is credited against the rest of the period.
  const excess = Math.max(0, row.paidInterestCents - accruedInterestCents(row, start, day));
  const remainingDays = BigInt(daysBetween(from, row.dueDate));
  const periodDays = BigInt(Math.max(1, daysBetween(start, row.dueDate)));
  const denominator = MONTHLY_RATE_DENOMINATOR * periodDays;
  const rest = Number(
    (2n * BigInt(balance) * BigInt(terms.aprBasisPoints) * remainingDays + denominator) / (2n * denominator),
  );
  const mode =
    params.choice === "reduce_instalment"
      ? { count: 1 + later.length }
      : {
          level: terms.scheduleType === "equal_installments" ? terms.monthlyPaymentCents : row.principalCents,
        };
  const tail = amortiseTail({
    principalCents: balance,
    aprBasisPoints: terms.aprBasisPoints,
    scheduleType: terms.scheduleType,
    firstDueDate: row.dueDate,
    firstRateInterestCents: Math.max(0, rest - excess),
    mode,
  });
  const [first, ...others] = tail.instalments;
  if (!first) throw new Error("a re-amortised tail has at least one instalment");
  return {
    rewrite: [
      {
        n: row.n,
        dueDate: row.dueDate,
        principalCents: paidPrincipal + first.principalCents,
        interestCents: paidInterest + first.interestCents,
        accrualStart: from,
        accruedBeforeCents: paidInterest,
      },
    ],
    remove: later.map((period) => period.row.n),
    add: others.map((item, index) => ({
      n: row.n + 1 + index,
      dueDate: item.dueDate,
      principalCents: item.principalCents,
      interestCents: item.interestCents,
      accrualStart: null,
      accruedBeforeCents: 0,
    })),
    aprBasisPoints: terms.aprBasisPoints,
    monthlyPaymentCents: tail.monthlyPaymentCents,
    termMonths: unchanged + others.length,
  };
}

function plannedOf(row: AccruingInstalment) {
  return {
    n: row.n,
    dueDate: row.dueDate,
    principalCents: row.principalCents,
    interestCents: row.interestCents,
    accrualStart: row.accrualStart,
    accruedBeforeCents: row.accruedBeforeCents,
  };
}

/** What the schedule still asks once the plan and this payment's lines are applied. */
function scheduleOwedAfter(
  rows: readonly AccruingInstalment[],
  plan: SchedulePlan,
  lines: Map<number, InstalmentAllocation>,
): number {
  const rewritten = new Map(plan.rewrite.map((item) => [item.n, item]));
  const removed = new Set(plan.remove);
  let owed = 0;
  for (const row of rows) {
    if (removed.has(row.n)) continue;
    const amounts = rewritten.get(row.n) ?? row;
    const line = lines.get(row.n);
    owed +=
      amounts.principalCents -
      row.paidPrincipalCents -
      (line?.principalCents ?? 0) +
      amounts.interestCents -
      row.paidInterestCents -
      (line?.interestCents ?? 0);
  }
  return owed + plan.add.reduce((sum, item) => sum + item.principalCents + item.interestCents, 0);
}

import type { Loan, LoanInstalment, LoanTransition, Payment } from "../../db/schema";
import { formatMoney, formatRate } from "../money";
import { isoDate } from "./dates";
import { toPaymentView } from "./payment-view";
import { type InstalmentDue, instalmentRemainingCents } from "./repayment";
import { amortizationSchedule, type Schedule } from "./schedule";
import type { LoanDetailView, LoanView, TermsView } from "./schemas";
import { nextStatuses } from "./status";
import type { PricedTerms } from "./terms";

/** A stored due date ("2025-02-28") as the Date the pure core works with: 00:00 UTC of that day. */
export function dueDateOf(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** An instalment row in the shape repayment.ts reads; one without a due date yet sorts as far future. */
export function toInstalmentDue(row: LoanInstalment): InstalmentDue {
  return {
    n: row.n,
    dueDate: row.dueDate ? dueDateOf(row.dueDate) : new Date(8.64e15),
    principalCents: row.principalCents,
    interestCents: row.interestCents,
    paidPrincipalCents: row.paidPrincipalCents,
    paidInterestCents: row.paidInterestCents,
  };
}

export function toLoanView(loan: Loan): LoanView {
  return {
    id: loan.id,
    userId: loan.userId,
    status: loan.status,
    amount: formatMoney(loan.amountCents),
    termMonths: loan.termMonths,
    purpose: loan.purpose,
    scheduleType: loan.scheduleType,
    apr: formatRate(loan.aprBasisPoints),
    monthlyPayment: formatMoney(loan.monthlyPaymentCents),
    score: loan.score,
    productId: loan.productId,
    productVersion: loan.productVersion,
    originationFee: formatMoney(loan.originationFeeCents),
    originationFeeFinanced: loan.originationFeeFinanced,
    nextStatuses: [...nextStatuses(loan.status)],
    createdAt: loan.createdAt,
    approvedAt: loan.approvedAt,
    disbursedAt: loan.disbursedAt,
    closedAt: loan.closedAt,
  };
}

/** What the schedule amortises: the amount, plus the origination fee when it was financed. */
export function loanPrincipalCents(
  loan: Pick<Loan, "amountCents" | "originationFeeCents" | "originationFeeFinanced">,
): number {
  return loan.amountCents + (loan.originationFeeFinanced ? loan.originationFeeCents : 0);
}

/** The schedule the loan's terms give, before approval writes it down. */
export function quotedSchedule(loan: Loan, startDate: Date): Schedule {
  return amortizationSchedule({
    principalCents: loanPrincipalCents(loan),
    aprBasisPoints: loan.aprBasisPoints,
    termMonths: loan.termMonths,
    scheduleType: loan.scheduleType,
    startDate,
  });
}

/** Statuses in which the schedule is owed: outstanding counts only from disbursement on. */
const owing = new Set<Loan["status"]>(["disbursed", "defaulted"]);

export function toLoanDetailView(
  loan: Loan,
  instalments: readonly LoanInstalment[],
  history: readonly LoanTransition[],
  payments: readonly Payment[],
): LoanDetailView {
  const fixed = instalments.length > 0;
  const rows: LoanInstalment[] = fixed
    ? [...instalments].sort((a, b) => a.n - b.n)
    : quotedSchedule(loan, loan.createdAt).instalments.map((item) => ({
        loanId: loan.id,
        n: item.n,
        dueDate: null,
        principalCents: item.principalCents,
        interestCents: item.interestCents,
        paidPrincipalCents: 0,
        paidInterestCents: 0,
        state: "pending" as const,
        paidAt: null,
        lateAt: null,
        accrualStart: null,
        accruedBeforeCents: 0,
      }));
  let totalInterest = 0;
  let paid = 0;
  let remaining = 0;
  const schedule = rows.map((row) => {
    const due = toInstalmentDue(row);
    const left = instalmentRemainingCents(due);
    const paidHere = row.paidPrincipalCents + row.paidInterestCents;
    totalInterest += row.interestCents;
    paid += paidHere;
    remaining += left;
    return {
      n: row.n,
      dueDate: row.dueDate,
      payment: formatMoney(row.principalCents + row.interestCents),
      principal: formatMoney(row.principalCents),
      interest: formatMoney(row.interestCents),
      paidPrincipal: formatMoney(row.paidPrincipalCents),
      paidInterest: formatMoney(row.paidInterestCents),
      paid: formatMoney(paidHere),
      remaining: formatMoney(left),
      state: row.state,
      paidAt: row.paidAt,
      lateAt: row.lateAt,
    };
  });
  return {
    ...toLoanView(loan),
    totalInterest: formatMoney(totalInterest),
    totalPayable: formatMoney(loanPrincipalCents(loan) + totalInterest),
    paid: formatMoney(paid),
    outstanding: formatMoney(owing.has(loan.status) ? remaining : 0),
    scheduleFixed: fixed,
    schedule,
    payments: payments.map(toPaymentView),
    history: history.map((item) => ({
      from: item.fromStatus,
      to: item.toStatus,
      actorId: item.actorId,
      reason: item.reason,
      at: item.at,
    })),
  };
}

export function toTermsView(params: {
  amountCents: number;
  termMonths: number;
  aprBasisPoints: number;
  priced: PricedTerms;
  pricing: TermsView["pricing"];
  product: TermsView["product"];
}): TermsView {
  const { schedule, disclosure } = params.priced;
  return {
    amount: formatMoney(params.amountCents),
    termMonths: params.termMonths,
    apr: formatRate(params.aprBasisPoints),
    scheduleType: params.priced.scheduleType,
    product: params.product,
    originationFee: formatMoney(params.priced.originationFeeCents),
    originationFeeFinanced: params.priced.originationFeeFinanced,
    principal: formatMoney(params.priced.principalCents),
    payout: formatMoney(params.priced.principalCents - params.priced.originationFeeCents),
    monthlyPayment: formatMoney(schedule.monthlyPaymentCents),
    totalInterest: formatMoney(schedule.totalInterestCents),
    totalPayable: formatMoney(schedule.totalPayableCents),
    pricing: params.pricing,
    disclosure: {
      apr: formatRate(disclosure.aprBasisPoints),
      financeCharge: formatMoney(disclosure.financeChargeCents),
      amountFinanced: formatMoney(disclosure.amountFinancedCents),
      totalOfPayments: formatMoney(disclosure.totalOfPaymentsCents),
      prepaidFinanceCharge: formatMoney(disclosure.prepaidFinanceChargeCents),
      payments: disclosure.payments.map((run) => ({
        count: run.count,
        amount: formatMoney(run.amountCents),
        firstDueDate: isoDate(run.firstDueDate),
      })),
    },
    schedule: schedule.instalments.map((item) => ({
      n: item.n,
      dueDate: isoDate(item.dueDate),
      payment: formatMoney(item.paymentCents),
      principal: formatMoney(item.principalCents),
      interest: formatMoney(item.interestCents),
      balance: formatMoney(item.balanceCents),
    })),
  };
}

import { actuarialAprBasisPoints } from "./apr";
import type { Schedule } from "./schedule";

/**
 * The Truth-in-Lending box (Regulation Z, 12 CFR 1026.18): APR, finance charge, amount financed, total of
 * payments and the payment schedule. Amount financed = principal − prepaid finance charges (an origination fee,
 * whether withheld from the payout or financed into the principal); finance charge = total of payments − amount
 * financed (interest + those charges); the APR is the actuarial rate of Appendix J (apr.ts) that discounts the
 * payments, on their due dates, to the amount financed at the advance.
 */

export type AprDisclosureParams = {
  /** What the schedule amortises (the amount, plus the fee when it is financed). */
  principalCents: number;
  schedule: Schedule;
  /** The day of the advance (disbursement), from which the schedule counts its months. */
  advanceDate: Date;
  /** Fees that are finance charges paid or withheld up front, or financed (origination fee). Default 0. */
  prepaidFinanceChargeCents?: number;
};

export type PaymentRun = { count: number; amountCents: number; firstDueDate: Date };

export type AprDisclosure = {
  /** The actuarial APR, to the basis point. */
  aprBasisPoints: number;
  financeChargeCents: number;
  amountFinancedCents: number;
  totalOfPaymentsCents: number;
  prepaidFinanceChargeCents: number;
  /** Consecutive equal payments grouped, as the box shows them ("11 payments of 888.49, then 1 of 888.47"). */
  payments: PaymentRun[];
};

export function aprDisclosure(params: AprDisclosureParams): AprDisclosure {
  const { principalCents, schedule } = params;
  const prepaid = params.prepaidFinanceChargeCents ?? 0;
  if (!Number.isSafeInteger(prepaid) || prepaid < 0 || prepaid >= principalCents) {
    throw new RangeError("prepaidFinanceChargeCents must be a non-negative integer below the principal");
  }
  const amountFinanced = principalCents - prepaid;
  const totalOfPayments = schedule.instalments.reduce((sum, item) => sum + item.paymentCents, 0);
  const aprBasisPoints = actuarialAprBasisPoints({
    amountFinancedCents: amountFinanced,
    advanceDate: params.advanceDate,
    payments: schedule.instalments.map((item) => ({ amountCents: item.paymentCents, date: item.dueDate })),
    dayOfMonth: schedule.dueDayOfMonth,
  });
  return {
    aprBasisPoints,
    financeChargeCents: totalOfPayments - amountFinanced,
    amountFinancedCents: amountFinanced,
    totalOfPaymentsCents: totalOfPayments,
    prepaidFinanceChargeCents: prepaid,
    payments: paymentRuns(schedule),
  };
}

function paymentRuns(schedule: Schedule): PaymentRun[] {
  const runs: PaymentRun[] = [];
  for (const item of schedule.instalments) {
    const last = runs.at(-1);
    if (last && last.amountCents === item.paymentCents) last.count++;
    else runs.push({ count: 1, amountCents: item.paymentCents, firstDueDate: item.dueDate });
  }
  return runs;
}

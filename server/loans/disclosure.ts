import type { Schedule } from "./schedule";

/**
 * The Truth-in-Lending box (Regulation Z, 12 CFR 1026.18): APR, finance charge, amount financed, total of
 * payments and the payment schedule. Amount financed = principal − prepaid finance charges (fees withheld
 * at disbursement); finance charge = interest + those charges; total of payments = the schedule's sum.
 */

export type AprDisclosureParams = {
  principalCents: number;
  /** The note rate the schedule was built with. */
  aprBasisPoints: number;
  schedule: Schedule;
  /** Fees that are finance charges paid or withheld up front (origination fee). Default 0. */
  prepaidFinanceChargeCents?: number;
};

export type PaymentRun = { count: number; amountCents: number; firstDueDate: Date };

export type AprDisclosure = {
  /** With no prepaid finance charge this is the note rate; otherwise the actuarial APR to the basis point. */
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
  const payments = schedule.instalments.map((item) => item.paymentCents);
  return {
    aprBasisPoints: prepaid === 0 ? params.aprBasisPoints : actuarialAprBasisPoints(amountFinanced, payments),
    financeChargeCents: totalOfPayments - amountFinanced,
    amountFinancedCents: amountFinanced,
    totalOfPaymentsCents: totalOfPayments,
    prepaidFinanceChargeCents: prepaid,
    payments: paymentRuns(schedule),
  };
}

/**
 * The actuarial APR (Regulation Z, Appendix J) for monthly payments, one unit period a month: the rate i
 * with amountFinanced = Σ payment_k / (1 + i)^k, and APR = 12·i, rounded to the basis point. Found by
 * bisection in floating point, which is ample for a figure disclosed to 0.01 % (the rule's tolerance is
 * 0.125 %).
 */
export function actuarialAprBasisPoints(
  amountFinancedCents: number,
  paymentsCents: readonly number[],
): number {
  const presentValue = (i: number) => {
    let pv = 0;
    let discount = 1;
    for (const payment of paymentsCents) {
      discount /= 1 + i;
      pv += payment * discount;
    }
    return pv;
  };
  const total = paymentsCents.reduce((sum, payment) => sum + payment, 0);
  if (total <= amountFinancedCents) return 0;
  let low = 0;
  let high = 1; // 1200 % a year: present value there is far below any amount financed we price
  while (presentValue(high) > amountFinancedCents) high *= 2;
  for (let step = 0; step < 200 && high - low > 1e-12; step++) {
    const mid = (low + high) / 2;
    if (presentValue(mid) > amountFinancedCents) low = mid;
    else high = mid;
  }
  return Math.round(((low + high) / 2) * 12 * 10_000);
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

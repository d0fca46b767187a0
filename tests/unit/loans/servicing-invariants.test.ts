import { describe, expect, test } from "bun:test";
import type { ScheduleType } from "../../../db/schema/loan-values";
import { type AccruingInstalment, payoffOn } from "../../../server/loans/accrual";
import { addMonthsClamped } from "../../../server/loans/dates";
import { planPrepayment } from "../../../server/loans/prepayment";
import { allocateRepayment, applyAllocation, outstandingCents } from "../../../server/loans/repayment";
import { planRestructure } from "../../../server/loans/restructure-plan";
import { amortizationSchedule } from "../../../server/loans/schedule";

/** Invariants over many generated loans, from a fixed seed so a failure reproduces. */

function mulberry32(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const random = mulberry32(16);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

function generatedLoan() {
  const scheduleType: ScheduleType = random() < 0.5 ? "equal_installments" : "equal_principal";
  const payout = new Date(Date.UTC(2026, int(0, 11), int(1, 31)));
  const termMonths = int(2, 48);
  const aprBasisPoints = int(0, 3600);
  const schedule = amortizationSchedule({
    principalCents: int(50_000, 5_000_000),
    aprBasisPoints,
    termMonths,
    scheduleType,
    startDate: payout,
  });
  let rows: AccruingInstalment[] = schedule.instalments.map((item) => ({
    n: item.n,
    dueDate: item.dueDate,
    principalCents: item.principalCents,
    interestCents: item.interestCents,
    paidPrincipalCents: 0,
    paidInterestCents: 0,
    accrualStart: null,
    accruedBeforeCents: 0,
  }));
  // Some borrowers paid ahead as scheduled before (no prepayment choice): the next instalments, in order.
  if (random() < 0.3) {
    rows = applyAllocation(rows, allocateRepayment(rows, int(1, outstandingCents(rows) - 1)));
  }
  const day = new Date(payout.getTime() + int(0, termMonths * 30) * 86_400_000);
  const principal = rows.reduce((sum, row) => sum + row.principalCents, 0);
  const terms = { aprBasisPoints, scheduleType, monthlyPaymentCents: schedule.monthlyPaymentCents };
  return { payout, rows, day, principal, terms, termMonths };
}

describe("prepayment invariants (500 generated loans)", () => {
  test("every cent is accounted for, principal is conserved, and the payoff amount always closes", () => {
    for (let i = 0; i < 500; i++) {
      const { payout, rows, day, principal, terms } = generatedLoan();
      const payoff = payoffOn(rows, payout, day, 0);
      const amount = int(1, payoff.amountCents + 5_000);
      const choice = random() < 0.5 ? "shorten_term" : "reduce_instalment";
      const plan = planPrepayment({ rows, loanStart: payout, day, amountCents: amount, choice, terms });
      const { allocation } = plan;
      expect(allocation.principalCents + allocation.interestCents + plan.unallocatedCents).toBe(amount);
      expect(allocation.outstandingAfterCents).toBeGreaterThanOrEqual(0);
      if (amount >= payoff.amountCents) {
        expect(allocation.outstandingAfterCents).toBe(0);
        expect(plan.unallocatedCents).toBe(amount - payoff.amountCents);
        expect(allocation.interestCents).toBe(payoff.interestCents);
      } else {
        expect(plan.unallocatedCents).toBe(0);
      }
      if (plan.schedule) {
        const replaced = new Set([...plan.schedule.remove, ...plan.schedule.rewrite.map((item) => item.n)]);
        const kept = rows.filter((row) => !replaced.has(row.n));
        const total =
          kept.reduce((sum, row) => sum + row.principalCents, 0) +
          plan.schedule.rewrite.reduce((sum, item) => sum + item.principalCents, 0) +
          plan.schedule.add.reduce((sum, item) => sum + item.principalCents, 0);
        expect(total).toBe(principal);
        expect(plan.schedule.add.every((item) => item.principalCents >= 0 && item.interestCents >= 0)).toBe(
          true,
        );
      }
    }
  });
});

describe("restructure invariants (500 generated loans)", () => {
  test("the new schedule amortises exactly the new principal, which is what remained plus what was capitalised", () => {
    for (let i = 0; i < 500; i++) {
      const { payout, rows, day, termMonths } = generatedLoan();
      const capitaliseArrears = random() < 0.5;
      const effectiveDate = day < addMonthsClamped(payout, termMonths) ? day : payout;
      const plan = planRestructure({
        rows,
        loanStart: payout,
        effectiveDate,
        aprBasisPoints: int(0, 3600),
        scheduleType: random() < 0.5 ? "equal_installments" : "equal_principal",
        termMonths: random() < 0.5 ? null : int(1, 60),
        capitaliseArrears,
        feesCents: int(0, 5_000),
      });
      expect(plan.schedule.add.reduce((sum, item) => sum + item.principalCents, 0)).toBe(plan.principalCents);
      const future = rows.filter((row) => row.dueDate > effectiveDate);
      const futurePrincipal = future.reduce(
        (sum, row) => sum + row.principalCents - row.paidPrincipalCents,
        0,
      );
      const { capitalised } = plan;
      expect(plan.principalCents).toBe(
        futurePrincipal + capitalised.principalCents + capitalised.interestCents + capitalised.feesCents,
      );
      if (!capitaliseArrears)
        expect(capitalised).toEqual({ principalCents: 0, interestCents: 0, feesCents: 0 });
      expect(plan.schedule.add[0]?.dueDate).toEqual(addMonthsClamped(effectiveDate, 1));
    }
  });
});

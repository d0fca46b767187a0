import { describe, expect, test } from "bun:test";
import { type AccruingInstalment, payoffOn } from "../../../server/loans/accrual";
import { planPrepayment } from "../../../server/loans/prepayment";
import { amortiseTail } from "../../../server/loans/reamortise";
import { planRestructure } from "../../../server/loans/restructure-plan";
import { amortizationSchedule } from "../../../server/loans/schedule";

// 1,200.00 over 12 months at 12 %, paid out on 15 January: a level payment of 106.62, interest 12.00 in month one.
const payout = new Date("2026-01-15T00:00:00Z");
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const schedule = amortizationSchedule({
  principalCents: 120_000,
  aprBasisPoints: 1200,
  termMonths: 12,
  scheduleType: "equal_installments",
  startDate: payout,
});
const rows: AccruingInstalment[] = schedule.instalments.map((item) => ({
  n: item.n,
  dueDate: item.dueDate,
  principalCents: item.principalCents,
  interestCents: item.interestCents,
  paidPrincipalCents: 0,
  paidInterestCents: 0,
  accrualStart: null,
  accruedBeforeCents: 0,
}));
const terms = {
  aprBasisPoints: 1200,
  scheduleType: "equal_installments" as const,
  monthlyPaymentCents: 10_662,
};

describe("payoff", () => {
  test("on the payout day it is the principal; mid-period it adds the interest accrued day by day", () => {
    expect(payoffOn(rows, payout, payout, 0)).toMatchObject({ amountCents: 120_000, interestCents: 0 });
    // 15 of January's 31 days: 12.00 × 15 / 31 = 5.806… → 5.81.
    expect(payoffOn(rows, payout, day("2026-01-30"), 0)).toEqual({
      principalCents: 120_000,
      interestCents: 581,
      feesCents: 0,
      amountCents: 120_581,
      dueCents: 0,
      accruedCents: 581,
    });
  });

  test("on a due day the whole instalment's interest is owed, and unpaid instalments count in full", () => {
    expect(payoffOn(rows, payout, day("2026-02-15"), 250)).toMatchObject({
      principalCents: 120_000,
      interestCents: 1200,
      feesCents: 250,
      amountCents: 121_450,
      dueCents: 10_662,
    });
  });
});

describe("prepayment", () => {
  const pay = (amountCents: number, choice: "shorten_term" | "reduce_instalment") =>
    planPrepayment({ rows, loanStart: payout, day: day("2026-01-30"), amountCents, choice, terms });

  test("pays the accrued interest, then principal; keeping the count lowers the instalment", () => {
    const plan = pay(50_000, "reduce_instalment");
    expect(plan.allocation.allocations).toEqual([{ n: 1, principalCents: 49_419, interestCents: 581 }]);
    expect(plan.prepaidPrincipalCents).toBe(49_419);
    const rebuilt = plan.schedule;
    if (!rebuilt) throw new Error("expected a new schedule");
    // 705.81 left; the rest of January's period (16 of 31 days) costs 3.64, so instalment 1 asks 9.45 interest.
    expect(rebuilt.rewrite).toEqual([
      {
        n: 1,
        dueDate: day("2026-02-15"),
        principalCents: 49_419 + 5_907,
        interestCents: 945,
        accrualStart: day("2026-01-30"),
        accruedBeforeCents: 581,
      },
    ]);
    expect(rebuilt.monthlyPaymentCents).toBe(6_271);
    expect(rebuilt.termMonths).toBe(12);
    expect(rebuilt.add.at(-1)?.dueDate).toEqual(day("2027-01-15"));
    const principal =
      rebuilt.rewrite.reduce((sum, item) => sum + item.principalCents, 0) +
      rebuilt.add.reduce((sum, item) => sum + item.principalCents, 0);
    expect(principal).toBe(120_000);
  });

  test("keeping the instalment shortens the term", () => {
    const rebuilt = pay(50_000, "shorten_term").schedule;
    expect(rebuilt?.monthlyPaymentCents).toBe(10_662);
    expect(rebuilt?.termMonths).toBe(7);
  });

  test("the payoff amount closes the schedule; anything beyond it is left unallocated", () => {
    const plan = pay(120_581 + 100, "shorten_term");
    expect(plan.allocation).toMatchObject({
      principalCents: 120_000,
      interestCents: 581,
      outstandingAfterCents: 0,
    });
    expect(plan.unallocatedCents).toBe(100);
    expect(plan.schedule?.remove).toHaveLength(11);
  });

  test("fees receivable are paid before the accrued interest and the principal, so the payoff closes the loan", () => {
    const plan = planPrepayment({
      rows,
      loanStart: payout,
      day: day("2026-01-30"),
      amountCents: 120_581 + 2_500,
      choice: "reduce_instalment",
      terms,
      feesCents: 2_500,
    });
    expect(plan).toMatchObject({ feesCents: 2_500, unallocatedCents: 0, prepaidPrincipalCents: 120_000 });
    expect(plan.allocation.outstandingAfterCents).toBe(0);
    const short = planPrepayment({
      rows,
      loanStart: payout,
      day: day("2026-01-30"),
      amountCents: 2_000,
      choice: "reduce_instalment",
      terms,
      feesCents: 2_500,
    });
    expect(short).toMatchObject({ feesCents: 2_000, schedule: null });
  });

  test("less than the accrued interest re-amortises nothing", () => {
    expect(pay(300, "shorten_term")).toMatchObject({ schedule: null, prepaidPrincipalCents: 0 });
  });
});

describe("restructure plan", () => {
  test("capitalising three missed instalments and the accrued interest into 24 months at 9 %", () => {
    const plan = planRestructure({
      rows,
      loanStart: payout,
      effectiveDate: day("2026-05-01"),
      aprBasisPoints: 900,
      scheduleType: "equal_installments",
      termMonths: 24,
      capitaliseArrears: true,
      feesCents: 0,
    });
    // Arrears: principal 286.71, interest 33.15; accrued 15 April → 1 May: 9.13 × 16 / 30 = 4.87.
    expect(plan.capitalised).toEqual({ principalCents: 28_671, interestCents: 3_802, feesCents: 0 });
    expect(plan.principalCents).toBe(91_329 + 28_671 + 3_802);
    expect(plan.schedule.rewrite.map((item) => [item.n, item.principalCents, item.state])).toEqual([
      [1, 0, "restructured"],
      [2, 0, "restructured"],
      [3, 0, "restructured"],
    ]);
    expect(plan.schedule.add[0]).toMatchObject({ n: 4, dueDate: day("2026-06-01"), interestCents: 929 });
    expect(plan.schedule.termMonths).toBe(27);
    expect(plan.schedule.add.reduce((sum, item) => sum + item.principalCents, 0)).toBe(123_802);
  });

  test("without capitalising, arrears stay due and the first new instalment collects the accrued interest", () => {
    const plan = planRestructure({
      rows,
      loanStart: payout,
      effectiveDate: day("2026-05-01"),
      aprBasisPoints: 1200,
      scheduleType: "equal_installments",
      termMonths: null,
      capitaliseArrears: false,
      feesCents: 0,
    });
    expect(plan.schedule.rewrite).toEqual([]);
    expect(plan.principalCents).toBe(91_329);
    expect(plan.schedule.add).toHaveLength(9);
    expect(plan.schedule.add[0]).toMatchObject({ accruedBeforeCents: 487, interestCents: 913 + 487 });
  });
});

describe("re-amortised tail", () => {
  test("equal principal keeps its principal part when the term shortens", () => {
    const tail = amortiseTail({
      principalCents: 50_000,
      aprBasisPoints: 0,
      scheduleType: "equal_principal",
      firstDueDate: day("2026-03-31"),
      mode: { level: 20_000 },
    });
    expect(
      tail.instalments.map((item) => [item.dueDate.toISOString().slice(0, 10), item.principalCents]),
    ).toEqual([
      ["2026-03-31", 20_000],
      ["2026-04-30", 20_000],
      ["2026-05-31", 10_000],
    ]);
  });

  test("refuses an instalment that never covers the interest", () => {
    expect(() =>
      amortiseTail({
        principalCents: 100_000,
        aprBasisPoints: 2400,
        scheduleType: "equal_installments",
        firstDueDate: day("2026-03-01"),
        mode: { level: 1_000 },
      }),
    ).toThrow("does not cover");
  });
});

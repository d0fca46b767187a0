import { describe, expect, test } from "bun:test";
import type { ScheduleType } from "../../../db/schema/loan-values";
import { actuarialAprBasisPoints } from "../../../server/loans/apr";
import { addMonthsClamped, daysBetween, isoDate } from "../../../server/loans/dates";
import { aprDisclosure } from "../../../server/loans/disclosure";
import {
  amortizationSchedule,
  annuityPaymentCents,
  type Schedule,
  ScheduleError,
} from "../../../server/loans/schedule";

const startDate = new Date("2025-01-15T09:30:00Z");

function schedule(
  principalCents: number,
  aprBasisPoints: number,
  termMonths: number,
  scheduleType: ScheduleType = "equal_installments",
) {
  return amortizationSchedule({ principalCents, aprBasisPoints, termMonths, scheduleType, startDate });
}

function expectConsistent(result: Schedule, principalCents: number) {
  const { instalments } = result;
  const principal = instalments.reduce((sum, item) => sum + item.principalCents, 0);
  const interest = instalments.reduce((sum, item) => sum + item.interestCents, 0);
  const payments = instalments.reduce((sum, item) => sum + item.paymentCents, 0);
  expect(principal).toBe(principalCents);
  expect(interest).toBe(result.totalInterestCents);
  expect(payments).toBe(result.totalPayableCents);
  expect(result.totalPayableCents).toBe(principalCents + result.totalInterestCents);
  expect(instalments.at(-1)?.balanceCents).toBe(0);
  let balance = principalCents;
  for (const item of instalments) {
    balance -= item.principalCents;
    expect(item.balanceCents).toBe(balance);
    expect(item.paymentCents).toBe(item.principalCents + item.interestCents);
    expect(item.principalCents).toBeGreaterThanOrEqual(0);
    expect(Number.isSafeInteger(item.paymentCents)).toBe(true);
  }
}

describe("equal instalments", () => {
  test.each([
    // [principal, APR bp, months, published monthly payment]
    [1_000_000, 1200, 12, 88_849], // 10,000.00 at 12 % over a year
    [20_000_000, 600, 360, 119_910], // 200,000 at 6 % over 30 years
    [10_000_000, 500, 360, 53_682], // 100,000 at 5 % over 30 years
    [2_500_000, 750, 60, 50_095], // 25,000 at 7.5 % over 5 years
    [30_000_000, 400, 180, 221_906], // 300,000 at 4 % over 15 years
    [1_000_000, 1000, 36, 32_267], // 10,000 at 10 % over 3 years
    [500_000, 2499, 24, 26_683], // 5,000 at 24.99 % over 2 years
  ])("%i cents at %i bp over %i months pays %i a month", (principal, apr, months, payment) => {
    const result = schedule(principal, apr, months);
    expect(result.monthlyPaymentCents).toBe(payment);
    expect(result.instalments).toHaveLength(months);
    for (const item of result.instalments.slice(0, -1)) expect(item.paymentCents).toBe(payment);
    expectConsistent(result, principal);
  });

  test("10,000.00 at 12 % over 12 months: 888.49 a month, the last absorbs rounding", () => {
    const result = schedule(1_000_000, 1200, 12);
    expect(result.instalments[0]).toMatchObject({
      paymentCents: 88_849,
      interestCents: 10_000,
      principalCents: 78_849,
      balanceCents: 921_151,
    });
    expect(result.instalments[11]).toMatchObject({
      paymentCents: 88_847,
      principalCents: 87_967,
      interestCents: 880,
    });
    expect(result.totalInterestCents).toBe(66_186);
    expect(result.totalPayableCents).toBe(1_066_186);
  });

  test("a 360-month schedule is exact to the cent and ends at zero", () => {
    const result = schedule(20_000_000, 600, 360);
    expectConsistent(result, 20_000_000);
    expect(result.instalments[0]).toMatchObject({ interestCents: 100_000, principalCents: 19_910 });
    // The payment is rounded down by 0.1 cent; compounded over 30 years it puts about a dollar on the last one.
    expect(result.instalments[359]?.paymentCents).toBe(120_014);
  });

  test("the exact payment agrees with the floating-point formula wherever that is not on a half cent", () => {
    let checked = 0;
    for (const principal of [50_000, 123_456, 1_000_000, 4_999_999, 5_000_000]) {
      for (const apr of [1, 99, 350, 799, 1299, 2499, 3600]) {
        for (const months of [3, 12, 37, 120, 240, 360]) {
          const r = apr / 120_000;
          const float = (principal * r) / (1 - (1 + r) ** -months);
          if (Math.abs((float % 1) - 0.5) < 1e-6) continue;
          expect(annuityPaymentCents(principal, apr, months)).toBe(Math.round(float));
          expectConsistent(schedule(principal, apr, months), principal);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  test("a zero-rate loan pays P / n with the remainder on the last instalment", () => {
    const result = schedule(1_000_000, 0, 7);
    expect(result.monthlyPaymentCents).toBe(142_857);
    expect(result.totalInterestCents).toBe(0);
    expect(result.instalments.slice(0, 6).every((item) => item.paymentCents === 142_857)).toBe(true);
    expect(result.instalments[6]?.paymentCents).toBe(142_858);
    expectConsistent(result, 1_000_000);
  });

  test("a one-month loan repays principal and one month's interest", () => {
    const result = schedule(1_000_000, 1200, 1);
    expect(result.instalments).toEqual([
      expect.objectContaining({
        n: 1,
        paymentCents: 1_010_000,
        principalCents: 1_000_000,
        interestCents: 10_000,
        balanceCents: 0,
      }),
    ]);
    expect(result.monthlyPaymentCents).toBe(1_010_000);
  });
});

describe("equal principal (declining balance)", () => {
  test("10,000.00 at 12 % over 12 months: 833.33 principal a month, interest on the declining balance", () => {
    const result = schedule(1_000_000, 1200, 12, "equal_principal");
    expect(result.monthlyPaymentCents).toBe(93_333); // the first, largest payment
    expect(result.instalments[1]).toMatchObject({
      principalCents: 83_333,
      interestCents: 9_167,
      paymentCents: 92_500,
    });
    expect(result.instalments[11]).toMatchObject({
      principalCents: 83_337,
      interestCents: 833,
      paymentCents: 84_170,
    });
    expect(result.totalInterestCents).toBe(65_000); // r·P·(n+1)/2
    expectConsistent(result, 1_000_000);
  });

  test("payments fall every month and principal sums to the amount over 360 months", () => {
    const result = schedule(20_000_000, 600, 360, "equal_principal");
    expect(result.monthlyPaymentCents).toBe(155_555);
    const payments = result.instalments.map((item) => item.paymentCents);
    for (let i = 1; i < payments.length - 1; i++)
      expect(payments[i]).toBeLessThanOrEqual(payments[i - 1] as number);
    expectConsistent(result, 20_000_000);
  });

  test("at zero rate it matches equal instalments", () => {
    const flat = schedule(1_000_000, 0, 7, "equal_principal");
    expect(flat.instalments.map((item) => item.paymentCents)).toEqual(
      schedule(1_000_000, 0, 7).instalments.map((item) => item.paymentCents),
    );
  });

  test.each([
    [50_000, 2499, 3],
    [4_999_999, 799, 360],
    [123_457, 1, 37],
  ])("%i cents at %i bp over %i months is consistent", (principal, apr, months) => {
    expectConsistent(schedule(principal, apr, months, "equal_principal"), principal);
  });
});

describe("due dates", () => {
  test("fall monthly on the start day, clamped to the end of short months", () => {
    const result = amortizationSchedule({
      principalCents: 100_000,
      aprBasisPoints: 1200,
      termMonths: 4,
      scheduleType: "equal_installments",
      startDate: new Date("2024-01-31T23:00:00Z"),
    });
    expect(result.instalments.map((item) => isoDate(item.dueDate))).toEqual([
      "2024-02-29",
      "2024-03-31",
      "2024-04-30",
      "2024-05-31",
    ]);
    expect(isoDate(addMonthsClamped(new Date("2025-01-31"), 1))).toBe("2025-02-28");
    expect(isoDate(addMonthsClamped(new Date("2025-11-30"), 3))).toBe("2026-02-28");
  });

  test("start from firstDueDate when given", () => {
    const result = amortizationSchedule({
      principalCents: 100_000,
      aprBasisPoints: 1200,
      termMonths: 3,
      scheduleType: "equal_installments",
      startDate: new Date("2025-01-10"),
      firstDueDate: new Date("2025-03-01"),
    });
    expect(result.instalments.map((item) => isoDate(item.dueDate))).toEqual([
      "2025-03-01",
      "2025-04-01",
      "2025-05-01",
    ]);
  });

  test("month arithmetic agrees with Date.UTC across two centuries", () => {
    for (let time = Date.UTC(1900, 0, 1); time < Date.UTC(2101, 0, 1); time += 86_400_000 * 5 + 3_600_000) {
      const anchor = new Date(time);
      for (const months of [1, 2, 12, 13, 359]) {
        const month = anchor.getUTCMonth() + months;
        const year = anchor.getUTCFullYear() + Math.floor(month / 12);
        const lastDay = new Date(Date.UTC(year, (month % 12) + 1, 0)).getUTCDate();
        expect(addMonthsClamped(anchor, months).getTime()).toBe(
          Date.UTC(year, month % 12, Math.min(anchor.getUTCDate(), lastDay)),
        );
      }
    }
  });

  test("daysBetween counts UTC calendar days", () => {
    expect(daysBetween(new Date("2025-01-31T23:59:00Z"), new Date("2025-02-01T00:01:00Z"))).toBe(1);
    expect(daysBetween(new Date("2025-03-01"), new Date("2025-02-01"))).toBe(-28);
  });
});

describe("invalid parameters", () => {
  test.each([
    [{ principalCents: 0 }],
    [{ principalCents: 10.5 }],
    [{ aprBasisPoints: -1 }],
    [{ aprBasisPoints: 12.5 }],
    [{ termMonths: 0 }],
    [{ termMonths: 1201 }],
    [{ firstDueDate: new Date("2025-01-15") }],
    [{ startDate: new Date("nope") }],
  ])("%o is refused", (override) => {
    expect(() =>
      amortizationSchedule({
        principalCents: 100_000,
        aprBasisPoints: 1200,
        termMonths: 12,
        scheduleType: "equal_installments",
        startDate,
        ...override,
      }),
    ).toThrow(ScheduleError);
  });
});

describe("APR disclosure", () => {
  test("with no fees: APR is the note rate, finance charge the interest, total of payments the schedule's sum", () => {
    const result = schedule(1_000_000, 1200, 12);
    const box = aprDisclosure({ principalCents: 1_000_000, schedule: result, advanceDate: startDate });
    expect(box).toMatchObject({
      aprBasisPoints: 1200,
      financeChargeCents: 66_186,
      amountFinancedCents: 1_000_000,
      totalOfPaymentsCents: 1_066_186,
      prepaidFinanceChargeCents: 0,
    });
    expect(box.payments.map(({ count, amountCents }) => [count, amountCents])).toEqual([
      [11, 88_849],
      [1, 88_847],
    ]);
    expect(box.payments[0]?.firstDueDate).toEqual(result.instalments[0]?.dueDate as Date);
  });

  test("the actuarial APR of a fee-free schedule is its note rate", () => {
    for (const [principal, apr, months] of [
      [1_000_000, 1200, 12],
      [20_000_000, 600, 360],
      [2_500_000, 750, 60],
    ] as const) {
      const payments = schedule(principal, apr, months).instalments.map((item) => ({
        amountCents: item.paymentCents,
        date: item.dueDate,
      }));
      expect(
        actuarialAprBasisPoints({ amountFinancedCents: principal, advanceDate: startDate, payments }),
      ).toBe(apr);
    }
  });

  test("a loan paid out on the 29th, 30th or 31st, due in February's last day, has a regular first period", () => {
    for (const day of ["2025-01-29", "2025-01-30", "2025-01-31", "2024-01-31"]) {
      const advanceDate = new Date(`${day}T15:00:00Z`);
      const result = amortizationSchedule({
        principalCents: 1_000_000,
        aprBasisPoints: 1200,
        termMonths: 12,
        scheduleType: "equal_installments",
        startDate: advanceDate,
      });
      expect(aprDisclosure({ principalCents: 1_000_000, schedule: result, advanceDate }).aprBasisPoints).toBe(
        1200,
      );
    }
  });

  test("a prepaid fee lowers the amount financed and raises the APR", () => {
    const result = schedule(1_000_000, 1200, 12);
    const box = aprDisclosure({
      principalCents: 1_000_000,
      schedule: result,
      advanceDate: startDate,
      prepaidFinanceChargeCents: 20_000,
    });
    expect(box.amountFinancedCents).toBe(980_000);
    expect(box.financeChargeCents).toBe(86_186);
    expect(box.totalOfPaymentsCents).toBe(box.amountFinancedCents + box.financeChargeCents);
    // Present value of the payments at the disclosed APR is the amount financed.
    const i = box.aprBasisPoints / 120_000;
    const pv = result.instalments.reduce((sum, item) => sum + item.paymentCents / (1 + i) ** item.n, 0);
    expect(Math.abs(pv - 980_000)).toBeLessThan(50);
    expect(box.aprBasisPoints).toBe(1585); // 15.8546 % by 60-digit decimal bisection
  });
});

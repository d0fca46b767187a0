import { describe, expect, test } from "bun:test";
import { type AprPayment, actuarialApr, paymentTiming, type UnitPeriod } from "../../../server/loans/apr";
import { addMonthsClamped } from "../../../server/loans/dates";

/**
 * The worked examples of Regulation Z, Appendix J (c) (12 CFR 1026), single advance transactions. Each
 * disclosed APR must come out to within 0.01 percentage point of the appendix's figure.
 */

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const cents = (dollars: number) => Math.round(dollars * 100);

function monthly(first: string, count: number, amount: number, everyMonths = 1): AprPayment[] {
  return Array.from({ length: count }, (_, k) => ({
    amountCents: cents(amount),
    date: addMonthsClamped(day(first), k * everyMonths),
  }));
}

function weekly(first: string, count: number, amount: number, everyWeeks = 1): AprPayment[] {
  return Array.from({ length: count }, (_, k) => ({
    amountCents: cents(amount),
    date: new Date(day(first).getTime() + k * everyWeeks * 7 * 86_400_000),
  }));
}

/** The 1st and the 16th of each month from `first` (a 1st). */
function semimonthly(first: string, count: number, amount: number): AprPayment[] {
  return Array.from({ length: count }, (_, k) => {
    const month = addMonthsClamped(day(first), Math.floor(k / 2));
    return {
      amountCents: cents(amount),
      date: k % 2 === 0 ? month : new Date(month.getTime() + 15 * 86_400_000),
    };
  });
}

function aprPercent(advance: number, advanceDate: string, payments: AprPayment[], unitPeriod: UnitPeriod) {
  return (
    actuarialApr({
      amountFinancedCents: cents(advance),
      advanceDate: day(advanceDate),
      payments,
      unitPeriod,
    }) * 100
  );
}

const month = { unit: "month", count: 1 } as const;

describe("Appendix J (c)(1): single advance, with or without an odd first period, otherwise regular", () => {
  test("(i) monthly payments, regular first period: $5,000, 24 × $230 → 9.69 %", () => {
    const apr = aprPercent(5000, "1978-01-10", monthly("1978-02-10", 24, 230), month);
    expect(Math.abs(apr - 9.69)).toBeLessThan(0.01);
  });

  test("(ii) monthly payments, long first period: $6,000, 36 × $200 from 4/1 after a 2/10 advance → 11.82 %", () => {
    const apr = aprPercent(6000, "1978-02-10", monthly("1978-04-01", 36, 200), month);
    expect(Math.abs(apr - 11.82)).toBeLessThan(0.01);
  });

  test("(iii) semimonthly payments, short first period: $5,000, 24 × $219.17 → 10.34 %", () => {
    const apr = aprPercent(5000, "1978-02-23", semimonthly("1978-03-01", 24, 219.17), { unit: "semimonth" });
    expect(Math.abs(apr - 10.34)).toBeLessThan(0.01);
  });

  test("(iv) quarterly payments, long first period: $10,000, 40 × $385 → 8.97 %", () => {
    const apr = aprPercent(10_000, "1978-05-23", monthly("1978-10-01", 40, 385, 3), {
      unit: "month",
      count: 3,
    });
    expect(Math.abs(apr - 8.97)).toBeLessThan(0.01);
  });

  test("(v) weekly payments, long first period: $500, 30 × $17.60 → 14.96 %", () => {
    const apr = aprPercent(500, "1978-03-20", weekly("1978-04-21", 30, 17.6), { unit: "week", count: 1 });
    expect(Math.abs(apr - 14.96)).toBeLessThan(0.01);
  });
});

describe("Appendix J (c)(2)–(4): odd first and final payments", () => {
  test("(c)(2)(i) monthly, first payment $250 then 23 × $230 → 10.08 %", () => {
    const payments = [
      { amountCents: cents(250), date: day("1978-02-10") },
      ...monthly("1978-03-10", 23, 230),
    ];
    expect(Math.abs(aprPercent(5000, "1978-01-10", payments, month) - 10.08)).toBeLessThan(0.01);
  });

  test("(c)(2)(ii) every 4 weeks, long first period, first payment $39.50 then 11 × $38.31 → 28.50 %", () => {
    const payments = [
      { amountCents: cents(39.5), date: day("1978-04-20") },
      ...weekly("1978-05-18", 11, 38.31, 4),
    ];
    const apr = aprPercent(400, "1978-03-18", payments, { unit: "week", count: 4 });
    expect(Math.abs(apr - 28.5)).toBeLessThan(0.01);
  });

  test("(c)(3)(i) monthly, 23 × $230 then a final $280 → 10.50 %", () => {
    const payments = [
      ...monthly("1978-02-10", 23, 230),
      { amountCents: cents(280), date: addMonthsClamped(day("1978-02-10"), 23) },
    ];
    expect(Math.abs(aprPercent(5000, "1978-01-10", payments, month) - 10.5)).toBeLessThan(0.01);
  });

  test("(c)(3)(ii) every 2 weeks, short first period, 19 × $9.50 then a final $30 → 12.22 %", () => {
    const regular = weekly("1978-04-11", 19, 9.5, 2);
    const payments = [
      ...regular,
      { amountCents: cents(30), date: new Date(day("1978-04-11").getTime() + 19 * 14 * 86_400_000) },
    ];
    const apr = aprPercent(200, "1978-04-03", payments, { unit: "week", count: 2 });
    expect(Math.abs(apr - 12.22)).toBeLessThan(0.01);
  });

  test("(c)(4)(i) monthly, $250 first, 22 × $230, $280 final → 10.90 %", () => {
    const payments = [
      { amountCents: cents(250), date: day("1978-02-10") },
      ...monthly("1978-03-10", 22, 230),
      { amountCents: cents(280), date: addMonthsClamped(day("1978-03-10"), 22) },
    ];
    expect(Math.abs(aprPercent(5000, "1978-01-10", payments, month) - 10.9)).toBeLessThan(0.01);
  });
});

describe("unit-period timing (Appendix J (b)(5))", () => {
  test("a first payment 1 month and 19 days after the advance is t = 1, f = 19/30", () => {
    expect(paymentTiming(day("1978-02-10"), day("1978-04-01"), month)).toEqual({ t: 1, f: 19 / 30 });
  });

  test("a regular month is t = 1, f = 0, and month ends count from month end", () => {
    expect(paymentTiming(day("2025-01-15"), day("2025-02-15"), month)).toEqual({ t: 1, f: 0 });
    expect(paymentTiming(day("2025-01-31"), day("2025-02-28"), month)).toEqual({ t: 1, f: 0 });
    expect(paymentTiming(day("2025-01-31"), day("2025-04-30"), month)).toEqual({ t: 3, f: 0 });
  });

  test("payments due on the 30th count February's last day as the 30th", () => {
    expect(paymentTiming(day("2025-01-30"), day("2025-02-28"), month, 30)).toEqual({ t: 1, f: 0 });
    expect(paymentTiming(day("2025-01-30"), day("2025-03-30"), month, 30)).toEqual({ t: 2, f: 0 });
  });

  test("payments that do not exceed the amount financed have no finance charge and an APR of zero", () => {
    expect(
      actuarialApr({
        amountFinancedCents: 120_000,
        advanceDate: day("2025-01-01"),
        payments: monthly("2025-02-01", 12, 100),
      }),
    ).toBe(0);
  });
});

import { describe, expect, test } from "bun:test";
import { z } from "zod";
import {
  formatMoney,
  formatRate,
  MoneyError,
  moneyInput,
  moneyInputSchema,
  moneySchema,
  parseMoney,
  parseRate,
  rateInputSchema,
  tryParseMoney,
} from "../../../server/money";

describe("parseMoney", () => {
  test("reads numbers and decimal strings into exact cents", () => {
    expect(parseMoney(1234.5)).toBe(123450);
    expect(parseMoney("1234.50")).toBe(123450);
    expect(parseMoney("1234")).toBe(123400);
    expect(parseMoney(1234)).toBe(123400);
    expect(parseMoney("0.07")).toBe(7);
    expect(parseMoney("007.1")).toBe(710);
  });

  test("never drifts the way float multiplication does", () => {
    expect(0.29 * 100).not.toBe(29);
    expect(parseMoney(0.29)).toBe(29);
    expect(19.99 * 100).not.toBe(1999);
    expect(parseMoney(19.99)).toBe(1999);
    expect(parseMoney(9007199254740.99)).toBe(900719925474099);
  });

  test("rejects more than two decimal places, as numbers and as strings", () => {
    expect(() => parseMoney("1.234")).toThrow("amount must be a number with at most two decimal places");
    expect(() => parseMoney(1.234)).toThrow("at most two decimal places");
    expect(() => parseMoney(0.1 + 0.2)).toThrow("at most two decimal places");
    expect(() => parseMoney(1e-7)).toThrow("at most two decimal places");
  });

  test("rejects NaN, infinities, exponent notation and text that is not a plain decimal", () => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      "1e3",
      "1E3",
      "abc",
      "",
      " 12",
      "12 ",
      "+5",
      "1,000.00",
      ".5",
      "5.",
      "0x10",
      "--1",
    ]) {
      expect(() => parseMoney(bad)).toThrow(MoneyError);
    }
  });

  test("rejects negative amounts unless allowed, and zero when told to", () => {
    expect(() => parseMoney("-5.00")).toThrow("amount must not be negative");
    expect(parseMoney("-5.00", { allowNegative: true })).toBe(-500);
    expect(parseMoney("-0.00")).toBe(0);
    expect(Object.is(parseMoney("-0", { allowNegative: true }), 0)).toBe(true);
    expect(() => parseMoney("0", { allowZero: false })).toThrow("amount must be greater than zero");
  });

  test("rejects amounts beyond exact integer range and outside given limits, naming the field", () => {
    expect(() => parseMoney("90071992547410.00")).toThrow("too large");
    expect(() => parseMoney(1e21)).toThrow("too large");
    expect(() => parseMoney("499.99", { label: "amount", minCents: 50_000 })).toThrow(
      "amount must be at least 500.00",
    );
    expect(() => parseMoney("50000.01", { maxCents: 5_000_000 })).toThrow("amount must be at most 50000.00");
  });

  test("reports a typed code in the result form", () => {
    expect(tryParseMoney("1.234")).toMatchObject({ ok: false, code: "TOO_MANY_DECIMALS" });
    expect(tryParseMoney("-1")).toMatchObject({ ok: false, code: "NEGATIVE" });
    expect(tryParseMoney(true)).toMatchObject({ ok: false, code: "NOT_A_NUMBER" });
    expect(tryParseMoney("12.3")).toEqual({ ok: true, value: 1230 });
  });
});

describe("formatMoney", () => {
  test("writes two decimal places with the sign in front", () => {
    expect(formatMoney(88849)).toBe("888.49");
    expect(formatMoney(-500)).toBe("-5.00");
    expect(formatMoney(5)).toBe("0.05");
    expect(formatMoney(-5)).toBe("-0.05");
    expect(formatMoney(0)).toBe("0.00");
    expect(formatMoney(Number.MAX_SAFE_INTEGER)).toBe("90071992547409.91");
  });

  test("refuses fractional cents", () => {
    expect(() => formatMoney(1.5)).toThrow(RangeError);
  });

  test("round-trips through parseMoney", () => {
    for (const cents of [0, 1, 99, 100, 123456, 5_000_000])
      expect(parseMoney(formatMoney(cents))).toBe(cents);
  });
});

describe("rates", () => {
  test("percentages with two places are basis points", () => {
    expect(parseRate("12.00")).toBe(1200);
    expect(parseRate(7.99)).toBe(799);
    expect(parseRate("0")).toBe(0);
    expect(formatRate(1200)).toBe("12.00");
    expect(formatRate(799)).toBe("7.99");
  });

  test("rejects more than two places, negatives and more than 100 %", () => {
    expect(() => parseRate("12.001")).toThrow("rate must be a percentage with at most two decimal places");
    expect(() => parseRate("-1")).toThrow("rate must be at least 0.00");
    expect(() => parseRate("100.01")).toThrow("rate must be at most 100.00");
  });
});

describe("zod schemas", () => {
  const body = z.object({ amount: moneyInputSchema, apr: rateInputSchema.optional() });

  test("moneyInputSchema turns numbers and strings into cents", () => {
    expect(body.parse({ amount: "10000.00", apr: "12.00" })).toEqual({ amount: 1_000_000, apr: 1200 });
    expect(body.parse({ amount: 10000 })).toEqual({ amount: 1_000_000 });
  });

  test("issues carry a clear message and the field's path", () => {
    const result = body.safeParse({ amount: "1.234" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ["amount"],
      message: "amount must be a number with at most two decimal places",
    });
    expect(body.safeParse({}).error?.issues[0]?.message).toBe("amount is required");
    expect(body.safeParse({ amount: true }).error?.issues[0]?.message).toBe(
      "amount must be a number or a decimal string",
    );
    expect(body.safeParse({ amount: "1", apr: "abc" }).error?.issues[0]?.path).toEqual(["apr"]);
  });

  test("moneyInput applies limits with the given label", () => {
    const amount = moneyInput({ label: "amount", minCents: 50_000, maxCents: 5_000_000, allowZero: false });
    expect(amount.safeParse("0").error?.issues[0]?.message).toBe("amount must be greater than zero");
    expect(amount.safeParse("499.99").error?.issues[0]?.message).toBe("amount must be at least 500.00");
    expect(amount.parse("500")).toBe(50_000);
  });

  test("moneySchema accepts exactly what formatMoney writes", () => {
    expect(moneySchema.parse(formatMoney(-500))).toBe("-5.00");
    expect(moneySchema.safeParse("5.0").success).toBe(false);
    expect(moneySchema.safeParse("5").success).toBe(false);
  });
});

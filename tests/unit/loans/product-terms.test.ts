import { describe, expect, test } from "bun:test";
import { DomainError } from "../../../server/errors";
import { lateFeeCents, originationFeeCents, pricingFromList } from "../../../server/loans/products/terms";

describe("origination fee", () => {
  test("is the percentage of the amount, rounded half-up to the cent, plus the fixed part", () => {
    const terms = { originationFeeBasisPoints: 250, originationFeeFixedCents: 1_000 };
    expect(originationFeeCents(terms, 500_000)).toBe(13_500); // 2.5 % of 5,000.00 + 10.00
    expect(originationFeeCents(terms, 1_234_567)).toBe(30_864 + 1_000); // 308.64175 → 308.64, plus 10.00
    expect(originationFeeCents({ originationFeeBasisPoints: 150, originationFeeFixedCents: 0 }, 100)).toBe(2); // 1.5 ¢ → 2 ¢
  });
});

describe("late fee", () => {
  test("is fixed plus a percentage of the overdue instalment, at most the cap", () => {
    const terms = { lateFeeFixedCents: 1_500, lateFeeBasisPoints: 500, lateFeeCapCents: 4_000 };
    expect(lateFeeCents(terms, 20_000)).toBe(2_500); // 15.00 + 5 % of 200.00
    expect(lateFeeCents(terms, 100_000)).toBe(4_000); // 15.00 + 50.00, capped at 40.00
    expect(lateFeeCents({ ...terms, lateFeeCapCents: null }, 100_000)).toBe(6_500);
  });
});

describe("pricing list", () => {
  const list = [
    { band: "excellent", apr: 799 },
    { band: "very_good", apr: 999 },
    { band: "good", apr: 1299 },
    { band: "fair", apr: 1799 },
    { band: "poor", apr: 2499 },
  ] as const;

  test("becomes a table by band", () => {
    expect(pricingFromList(list)).toEqual({
      excellent: 799,
      very_good: 999,
      good: 1299,
      fair: 1799,
      poor: 2499,
    });
  });

  test("refuses a missing or repeated band, and a better band costing more", () => {
    expect(() => pricingFromList(list.slice(1))).toThrow(DomainError);
    expect(() => pricingFromList([...list, { band: "good", apr: 1299 }])).toThrow(/twice/);
    expect(() => pricingFromList([...list.slice(0, 4), { band: "poor", apr: 1000 }])).toThrow(
      /must not cost more/,
    );
  });
});

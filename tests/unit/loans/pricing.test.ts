import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { aprForBand } from "../../../server/loans/pricing";
import {
  defaultPricingTable,
  formatPricingTable,
  PricingConfigError,
  parsePricingTable,
  pricingTableEnvSchema,
} from "../../../server/pricing-table";

const config = "excellent:7.99,very_good:9.99,good:12.99,fair:17.99,poor:24.99";

describe("pricing table", () => {
  test("the default table prices each band", () => {
    expect(aprForBand(defaultPricingTable, "excellent")).toBe(799);
    expect(aprForBand(defaultPricingTable, "very_good")).toBe(999);
    expect(aprForBand(defaultPricingTable, "good")).toBe(1299);
    expect(aprForBand(defaultPricingTable, "fair")).toBe(1799);
    expect(aprForBand(defaultPricingTable, "poor")).toBe(2499);
  });

  test("the config form parses into basis points, in any order and with spaces", () => {
    expect(parsePricingTable(config)).toEqual(defaultPricingTable);
    expect(parsePricingTable(" poor : 30 , fair:20,good:15, very_good:10,excellent:5 ")).toEqual({
      poor: 3000,
      fair: 2000,
      good: 1500,
      very_good: 1000,
      excellent: 500,
    });
    expect(parsePricingTable(formatPricingTable(defaultPricingTable))).toEqual(defaultPricingTable);
    expect(formatPricingTable(defaultPricingTable)).toBe(config);
  });

  test.each([
    ["excellent:7.99,very_good:9.99,good:12.99,fair:17.99", "missing score band(s): poor"],
    [`${config},superb:1`, 'unknown score band "superb"'],
    [`${config},poor:30`, 'score band "poor" is listed twice'],
    ["excellent=7.99", "is not band:percentage"],
    [
      "excellent:7.999,very_good:9.99,good:12.99,fair:17.99,poor:24.99",
      "the rate for excellent must be a percentage with at most two decimal places",
    ],
    ["excellent:abc,very_good:9.99,good:12.99,fair:17.99,poor:24.99", "the rate for excellent must be"],
    [
      "excellent:7.99,very_good:9.99,good:12.99,fair:17.99,poor:124.99",
      "the rate for poor must be at most 100.00",
    ],
    [
      "excellent:10.99,very_good:9.99,good:12.99,fair:17.99,poor:24.99",
      "excellent (10.99 %) must not cost more than very_good (9.99 %)",
    ],
  ])("%s is refused with a clear error", (text, message) => {
    expect(() => parsePricingTable(text)).toThrow(PricingConfigError);
    expect(() => parsePricingTable(text)).toThrow(message);
  });

  test("the env schema reports the problem as a zod issue", () => {
    const schema = z.object({ LOAN_PRICING_TABLE: pricingTableEnvSchema.default(defaultPricingTable) });
    expect(schema.parse({}).LOAN_PRICING_TABLE).toEqual(defaultPricingTable);
    const result = schema.safeParse({ LOAN_PRICING_TABLE: "excellent:7.99" });
    expect(result.error?.issues[0]).toMatchObject({ path: ["LOAN_PRICING_TABLE"] });
    expect(result.error?.issues[0]?.message).toContain("missing score band(s)");
  });
});

import { z } from "zod";
import { formatRate, tryParseRate } from "./money";
import { isScoreBand, type ScoreBand, scoreBands } from "./score-bands";

/* LOAN_PRICING_TABLE: its form, parser and default. In the kernel because the configuration parses it. */

/** APR in basis points for each band. */
export type PricingTable = Readonly<Record<ScoreBand, number>>;

export const defaultPricingTable: PricingTable = Object.freeze({
  excellent: 799,
  very_good: 999,
  good: 1299,
  fair: 1799,
  poor: 2499,
});

export class PricingConfigError extends Error {
  override name = "PricingConfigError";
}

/**
 * Parses the config form `excellent:7.99,very_good:9.99,good:12.99,fair:17.99,poor:24.99` (percentages,
 * at most two places). Every band must be listed once: a missing band is an error rather than a silent
 * default, since it prices real loans. A better band may not cost more than a worse one.
 */
export function parsePricingTable(text: string): PricingTable {
  const entries = text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  const table: Partial<Record<ScoreBand, number>> = {};
  for (const entry of entries) {
    const [band, rate, ...rest] = entry.split(":").map((part) => part.trim());
    if (!band || rate === undefined || rest.length > 0) {
      throw new PricingConfigError(`"${entry}" is not band:percentage (like excellent:7.99)`);
    }
    if (!isScoreBand(band)) {
      throw new PricingConfigError(`unknown score band "${band}"; expected one of ${scoreBands.join(", ")}`);
    }
    if (table[band] !== undefined) throw new PricingConfigError(`score band "${band}" is listed twice`);
    const parsed = tryParseRate(rate, { label: `the rate for ${band}` });
    if (!parsed.ok) throw new PricingConfigError(parsed.message);
    table[band] = parsed.value;
  }
  const missing = scoreBands.filter((band) => table[band] === undefined);
  if (missing.length > 0) throw new PricingConfigError(`missing score band(s): ${missing.join(", ")}`);
  const complete = table as Record<ScoreBand, number>;
  for (let i = 1; i < scoreBands.length; i++) {
    const worse = scoreBands[i - 1] as ScoreBand;
    const better = scoreBands[i] as ScoreBand;
    if (complete[better] > complete[worse]) {
      throw new PricingConfigError(
        `${better} (${formatRate(complete[better])} %) must not cost more than ${worse} (${formatRate(complete[worse])} %)`,
      );
    }
  }
  return Object.freeze(complete);
}

/** The table back in its config form. */
export function formatPricingTable(table: PricingTable): string {
  return [...scoreBands]
    .reverse()
    .map((band) => `${band}:${formatRate(table[band])}`)
    .join(",");
}

/** For the config schema: `LOAN_PRICING_TABLE: pricingTableEnvSchema.default(defaultPricingTable)`. */
export const pricingTableEnvSchema = z.string().transform((text, ctx): PricingTable => {
  try {
    return parsePricingTable(text);
  } catch (error) {
    ctx.issues.push({ code: "custom", message: (error as Error).message, input: text });
    return z.NEVER;
  }
});

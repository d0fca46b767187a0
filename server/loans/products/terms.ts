import type { LoanProductVersion } from "../../../db/schema";
import { invalidInput } from "../../errors";
import { formatRate } from "../../money";
import type { PricingTable } from "../../pricing-table";
import { type ScoreBand, scoreBands } from "../../score-bands";
import type { LoanSettings } from "../settings";

/** A product version's terms, without its identity: what pricing, eligibility, fees and the schedule read. */
export type ProductTerms = Omit<LoanProductVersion, "productId" | "version" | "createdBy" | "createdAt">;

/** round-half-up(cents × basisPoints / 10 000), exact at any size. */
function percentOf(cents: number, basisPoints: number): number {
  return Number((2n * BigInt(cents) * BigInt(basisPoints) + 10_000n) / 20_000n);
}

/** The origination fee on `amountCents`: the percentage (rounded half-up to the cent) plus the fixed part. */
export function originationFeeCents(
  terms: Pick<ProductTerms, "originationFeeBasisPoints" | "originationFeeFixedCents">,
  amountCents: number,
): number {
  return percentOf(amountCents, terms.originationFeeBasisPoints) + terms.originationFeeFixedCents;
}

/** The late fee on an instalment with `overdueCents` unpaid: fixed plus a percentage of it, at most the cap. */
export function lateFeeCents(
  terms: Pick<ProductTerms, "lateFeeFixedCents" | "lateFeeBasisPoints" | "lateFeeCapCents">,
  overdueCents: number,
): number {
  const fee = terms.lateFeeFixedCents + percentOf(overdueCents, terms.lateFeeBasisPoints);
  return terms.lateFeeCapCents === null ? fee : Math.min(fee, terms.lateFeeCapCents);
}

/** The default product the LOAN_* settings describe: no fees, the configured ranges, floor and pricing. */
export function defaultProductTerms(settings: LoanSettings): ProductTerms {
  return {
    name: "Standard",
    minAmountCents: settings.minAmountCents,
    maxAmountCents: settings.maxAmountCents,
    minTermMonths: settings.minTermMonths,
    maxTermMonths: settings.maxTermMonths,
    scheduleType: "equal_installments",
    scoreFloor: settings.eligibility.scoreFloor,
    maxDtiBasisPoints: Math.round(settings.eligibility.maxDebtToIncome * 10_000),
    graceDays: settings.delinquency.graceDays,
    originationFeeBasisPoints: 0,
    originationFeeFixedCents: 0,
    originationFeeFinanced: false,
    lateFeeFixedCents: 0,
    lateFeeBasisPoints: 0,
    lateFeeCapCents: null,
    pricing: { ...settings.pricing },
  };
}

/** The pricing list of a request as a table: every band once, no better band costing more than a worse one. */
export function pricingFromList(list: readonly { band: ScoreBand; apr: number }[]): PricingTable {
  const table: Partial<Record<ScoreBand, number>> = {};
  for (const { band, apr } of list) {
    if (table[band] !== undefined) {
      throw invalidInput("PRICING_INVALID", `pricing lists the band ${band} twice`, { field: "pricing" });
    }
    table[band] = apr;
  }
  const missing = scoreBands.filter((band) => table[band] === undefined);
  if (missing.length > 0) {
    throw invalidInput(
      "PRICING_INVALID",
      `pricing must list every score band; missing ${missing.join(", ")}`,
      {
        field: "pricing",
      },
    );
  }
  const complete = table as Record<ScoreBand, number>;
  for (let i = 1; i < scoreBands.length; i++) {
    const worse = scoreBands[i - 1] as ScoreBand;
    const better = scoreBands[i] as ScoreBand;
    if (complete[better] > complete[worse]) {
      throw invalidInput(
        "PRICING_INVALID",
        `pricing: ${better} (${formatRate(complete[better])} %) must not cost more than ${worse} (${formatRate(complete[worse])} %)`,
        { field: "pricing" },
      );
    }
  }
  return complete;
}

/** Checks what one field cannot: ranges in order, grace days within the default limit. A 400 naming the field. */
export function checkProductTerms(terms: ProductTerms, limits: { defaultAfterDays: number }): void {
  if (terms.minAmountCents > terms.maxAmountCents) {
    throw invalidInput("PRODUCT_RANGE_INVALID", "minAmount must not be above maxAmount", {
      field: "minAmount",
    });
  }
  if (terms.minTermMonths > terms.maxTermMonths) {
    throw invalidInput("PRODUCT_RANGE_INVALID", "minTermMonths must not be above maxTermMonths", {
      field: "minTermMonths",
    });
  }
  if (terms.graceDays > limits.defaultAfterDays) {
    throw invalidInput(
      "PRODUCT_RANGE_INVALID",
      `graceDays must not be above ${limits.defaultAfterDays} (LOAN_DEFAULT_AFTER_DAYS: a loan defaults after its instalments are late)`,
      { field: "graceDays" },
    );
  }
  if (
    originationFeeCents(terms, terms.minAmountCents) >= terms.minAmountCents &&
    !terms.originationFeeFinanced
  ) {
    throw invalidInput(
      "PRODUCT_RANGE_INVALID",
      "the origination fee on minAmount would take the whole payout; lower the fee or raise minAmount",
      { field: "originationFeeFixed" },
    );
  }
}

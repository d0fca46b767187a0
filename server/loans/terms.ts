import type { Database } from "../../db/client";
import type { ScheduleType } from "../../db/schema/loan-values";
import { latestScore } from "../credit/history";
import type { ScoreRecord } from "../credit/schemas";
import { invalidInput, unprocessable } from "../errors";
import { formatMoney } from "../money";
import { type AprDisclosure, aprDisclosure } from "./disclosure";
import { type PricedProduct, productForLoan } from "./products/service";
import { originationFeeCents, type ProductTerms } from "./products/terms";
import { amortizationSchedule, type Schedule } from "./schedule";
import type { TermsView } from "./schemas";
import type { LoanSettings } from "./settings";
import { toTermsView } from "./views";

type TermLimits = Pick<ProductTerms, "minAmountCents" | "maxAmountCents" | "minTermMonths" | "maxTermMonths">;

/** The product's amount and term range; a request outside it is a 400 naming the field. */
export function checkTermLimits(limits: TermLimits, amountCents: number, termMonths: number): void {
  const { minAmountCents, maxAmountCents, minTermMonths, maxTermMonths } = limits;
  if (amountCents < minAmountCents || amountCents > maxAmountCents) {
    throw invalidInput(
      "AMOUNT_OUT_OF_RANGE",
      `amount must be from ${formatMoney(minAmountCents)} to ${formatMoney(maxAmountCents)}`,
      { field: "amount", min: formatMoney(minAmountCents), max: formatMoney(maxAmountCents) },
    );
  }
  if (termMonths < minTermMonths || termMonths > maxTermMonths) {
    throw invalidInput(
      "TERM_OUT_OF_RANGE",
      `termMonths must be from ${minTermMonths} to ${maxTermMonths} months`,
      {
        field: "termMonths",
        min: minTermMonths,
        max: maxTermMonths,
      },
    );
  }
}

export const scoreMissing = () =>
  unprocessable(
    "SCORE_MISSING",
    "You have no credit score yet; calculate one first (POST /api/credit/calculate-score), or pass an apr",
  );

/** The APR the product's pricing table gives the score's band. */
export function priceForScore(
  terms: Pick<ProductTerms, "pricing">,
  score: Pick<ScoreRecord, "band">,
): number {
  const apr = terms.pricing[score.band];
  if (apr === undefined) throw new Error(`the product prices no ${score.band} band`);
  return apr;
}

export type PricedTerms = {
  scheduleType: ScheduleType;
  originationFeeCents: number;
  originationFeeFinanced: boolean;
  /** What the schedule amortises: the amount, plus the fee when it is financed. */
  principalCents: number;
  schedule: Schedule;
  disclosure: AprDisclosure;
};

export type PriceLoanParams = {
  amountCents: number;
  termMonths: number;
  /** Omitted: the product's. */
  scheduleType?: ScheduleType;
  aprBasisPoints: number;
  /** The disbursement day the schedule counts from. */
  startDate: Date;
};

/**
 * A loan's money under a product: the origination fee (deducted from the payout by default, so the amount
 * financed is the amount less the fee; or financed, added to the principal), the schedule on the principal, and
 * the Truth-in-Lending disclosure with the fee as a prepaid finance charge.
 */
export function priceLoan(terms: ProductTerms, params: PriceLoanParams): PricedTerms {
  const fee = originationFeeCents(terms, params.amountCents);
  const financed = terms.originationFeeFinanced;
  if (!financed && fee >= params.amountCents) {
    throw unprocessable(
      "FEE_EXCEEDS_AMOUNT",
      `The origination fee of ${formatMoney(fee)} would take the whole amount; ask for more`,
      { field: "amount" },
    );
  }
  const principalCents = financed ? params.amountCents + fee : params.amountCents;
  const scheduleType = params.scheduleType ?? terms.scheduleType;
  const schedule = amortizationSchedule({
    principalCents,
    aprBasisPoints: params.aprBasisPoints,
    termMonths: params.termMonths,
    scheduleType,
    startDate: params.startDate,
  });
  const disclosure = aprDisclosure({
    principalCents,
    schedule,
    advanceDate: params.startDate,
    prepaidFinanceChargeCents: fee,
  });
  return {
    scheduleType,
    originationFeeCents: fee,
    originationFeeFinanced: financed,
    principalCents,
    schedule,
    disclosure,
  };
}

export type CalculateTermsParams = {
  userId: string;
  /** Omitted: the default product. */
  productId?: string;
  amountCents: number;
  termMonths: number;
  scheduleType?: ScheduleType;
  /** Given by the caller; otherwise priced from their latest score. */
  aprBasisPoints?: number;
  now?: Date;
};

/** A quote under a product: the schedule as if paid out now, with fees and the disclosure. Stores nothing. */
export async function calculateTerms(
  db: Database,
  deps: { settings: LoanSettings },
  params: CalculateTermsParams,
): Promise<TermsView> {
  const { product, version }: PricedProduct = await productForLoan(db, deps, { productId: params.productId });
  checkTermLimits(version, params.amountCents, params.termMonths);
  let pricing: TermsView["pricing"] = { source: "requested", band: null, score: null };
  let aprBasisPoints = params.aprBasisPoints;
  if (aprBasisPoints === undefined) {
    const score = await latestScore(db, params.userId);
    if (!score) throw scoreMissing();
    aprBasisPoints = priceForScore(version, score);
    pricing = { source: "score", band: score.band, score: score.score };
  }
  const priced = priceLoan(version, { ...params, aprBasisPoints, startDate: params.now ?? new Date() });
  return toTermsView({
    amountCents: params.amountCents,
    termMonths: params.termMonths,
    aprBasisPoints,
    priced,
    pricing,
    product: { id: product.id, version: version.version, name: version.name },
  });
}

import type { Database } from "../../db/client";
import type { ScheduleType } from "../../db/schema/loan-values";
import { latestScore } from "../credit/history";
import type { ScoreRecord } from "../credit/schemas";
import { invalidInput, unprocessable } from "../errors";
import { formatMoney } from "../money";
import { aprDisclosure } from "./disclosure";
import { aprForBand } from "./pricing";
import { amortizationSchedule, type Schedule } from "./schedule";
import type { TermsView } from "./schemas";
import type { LoanSettings } from "./settings";
import { toTermsView } from "./views";

/** The configured amount and term range; a request outside it is a 400 naming the field. */
export function checkTermLimits(settings: LoanSettings, amountCents: number, termMonths: number): void {
  const { minAmountCents, maxAmountCents, minTermMonths, maxTermMonths } = settings;
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

/** The APR the pricing table gives the score's band. */
export function priceForScore(settings: LoanSettings, score: Pick<ScoreRecord, "band">): number {
  return aprForBand(settings.pricing, score.band);
}

export type TermsRequest = {
  amountCents: number;
  termMonths: number;
  scheduleType: ScheduleType;
  /** Given by the caller; otherwise priced from their latest score. */
  aprBasisPoints?: number;
};

export function scheduleFor(request: Required<TermsRequest>, startDate: Date): Schedule {
  return amortizationSchedule({
    principalCents: request.amountCents,
    aprBasisPoints: request.aprBasisPoints,
    termMonths: request.termMonths,
    scheduleType: request.scheduleType,
    startDate,
  });
}

/** A quote: the schedule as if paid out on `now`, with its disclosure. Stores nothing. */
export async function calculateTerms(
  db: Database,
  settings: LoanSettings,
  userId: string,
  request: TermsRequest,
  now: Date = new Date(),
): Promise<TermsView> {
  checkTermLimits(settings, request.amountCents, request.termMonths);
  let pricing: TermsView["pricing"] = { source: "requested", band: null, score: null };
  let aprBasisPoints = request.aprBasisPoints;
  if (aprBasisPoints === undefined) {
    const score = await latestScore(db, userId);
    if (!score) throw scoreMissing();
    aprBasisPoints = priceForScore(settings, score);
    pricing = { source: "score", band: score.band, score: score.score };
  }
  const full = { ...request, aprBasisPoints };
  const schedule = scheduleFor(full, now);
  const disclosure = aprDisclosure({ principalCents: request.amountCents, aprBasisPoints, schedule });
  return toTermsView({ ...full, schedule, disclosure, pricing });
}

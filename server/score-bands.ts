import { z } from "zod";

/** Score bands, worst to best: the credit domain reports one with each score, loans price by it. */
export const scoreBands = ["poor", "fair", "good", "very_good", "excellent"] as const;
export type ScoreBand = (typeof scoreBands)[number];
export const scoreBandSchema = z.enum(scoreBands);

export function isScoreBand(value: string): value is ScoreBand {
  return (scoreBands as readonly string[]).includes(value);
}

/** poor < 580 ≤ fair < 670 ≤ good < 740 ≤ very_good < 800 ≤ excellent. */
export function scoreBand(score: number): ScoreBand {
  if (score >= 800) return "excellent";
  if (score >= 740) return "very_good";
  if (score >= 670) return "good";
  if (score >= 580) return "fair";
  return "poor";
}

import { z } from "zod";
import { fitLogistic } from "./scorecard/logistic.ts";
import { discrimination } from "./scorecard/metrics.ts";

/**
 * Probability of default from a score: Platt scaling, a one-variable logistic regression of the outcome
 * (90+ days delinquent within two years) on the served integer score, so every score maps to one
 * probability and a higher score always to a lower one. The score enters as (score − baseScore) / pdo,
 * which keeps the fit well conditioned and the slope readable (about −ln 2 when the points are exact).
 */
export const plattCalibrationSchema = z.object({
  method: z.literal("platt"),
  /** P(bad) = 1 / (1 + exp(−(intercept + slope · (score − center) / scale))). */
  intercept: z.number(),
  slope: z.number().negative(),
  center: z.number(),
  scale: z.number().positive(),
  /** Which rows it was fitted on (never the holdout). */
  fittedOn: z.string(),
  rows: z.number().int().positive(),
});
export type PlattCalibration = z.infer<typeof plattCalibrationSchema>;

export const calibrationBucketSchema = z.object({
  scoreFrom: z.number().int(),
  scoreTo: z.number().int(),
  rows: z.number().int().min(0),
  bad: z.number().int().min(0),
  /** Mean predicted probability of default in the bucket. */
  predicted: z.number().min(0).max(1),
  /** Observed default rate in the bucket. */
  observed: z.number().min(0).max(1),
});
export type CalibrationBucket = z.infer<typeof calibrationBucketSchema>;

export const evaluationSchema = z.object({
  rows: z.number().int().min(0),
  auc: z.number().min(0).max(1),
  gini: z.number().min(-1).max(1),
  ks: z.number().min(0).max(1),
  /** Mean squared error of the calibrated probability of default. */
  brier: z.number().min(0).max(1),
});
export type Evaluation = z.infer<typeof evaluationSchema>;

/** Holdout figures beyond the headline metrics: the calibration table and the ROC curve, for the model card. */
export const holdoutDetailSchema = z.object({
  calibration: z.array(calibrationBucketSchema).min(1).max(10),
  /** [false-positive rate, true-positive rate] pairs from (0, 0) to (1, 1), a bad counted as a positive. */
  roc: z.array(z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)])).min(2),
});
export type HoldoutDetail = z.infer<typeof holdoutDetailSchema>;

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** The calibrated probability of default of a score, rounded to six decimals. */
export function probabilityOfDefault(calibration: PlattCalibration, score: number): number {
  const eta = calibration.intercept + (calibration.slope * (score - calibration.center)) / calibration.scale;
  return round(1 / (1 + Math.exp(-eta)), 6);
}

/** Fits Platt scaling of the labels on the scores (both in the same order). */
export function fitPlatt(
  scores: ArrayLike<number>,
  labels: Uint8Array,
  center: number,
  scale: number,
  fittedOn: string,
): PlattCalibration {
  const x = Float64Array.from({ length: scores.length }, (_, i) => ((scores[i] as number) - center) / scale);
  const fit = fitLogistic(x, labels, labels.length, 1);
  return {
    method: "platt",
    intercept: round(fit.intercept, 8),
    slope: round(fit.coefficients[0] as number, 8),
    center,
    scale,
    fittedOn,
    rows: labels.length,
  };
}

/** AUC, Gini, KS of the scores and the Brier score of their calibrated probabilities. */
export function evaluateScores(
  scores: ArrayLike<number>,
  labels: Uint8Array,
  calibration: PlattCalibration,
): Evaluation {
  const { auc, gini, ks } = discrimination(scores, labels);
  let brier = 0;
  for (let i = 0; i < labels.length; i++) {
    const error = probabilityOfDefault(calibration, scores[i] as number) - (labels[i] as number);
    brier += error * error;
  }
  return {
    rows: labels.length,
    auc: round(auc, 6),
    gini: round(gini, 6),
    ks: round(ks, 6),
    brier: round(brier / labels.length, 6),
  };
}

/** The indices of `scores` in ascending score order (ties in row order). */
function ascending(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number) || a - b,
  );
}

/**
 * Ten buckets of about a tenth of the rows each, riskiest (lowest scores) first; a score never straddles two
 * buckets, so a bucket may hold a little more or less than a tenth.
 */
export function calibrationTable(
  scores: ArrayLike<number>,
  labels: Uint8Array,
  calibration: PlattCalibration,
): CalibrationBucket[] {
  const order = ascending(scores);
  const buckets: CalibrationBucket[] = [];
  let start = 0;
  for (let b = 1; b <= 10 && start < order.length; b++) {
    let end = b === 10 ? order.length : Math.max(start + 1, Math.round((b * order.length) / 10));
    const last = scores[order[end - 1] as number] as number;
    while (end < order.length && scores[order[end] as number] === last) end++;
    let bad = 0;
    let predicted = 0;
    for (let i = start; i < end; i++) {
      const row = order[i] as number;
      bad += labels[row] as number;
      predicted += probabilityOfDefault(calibration, scores[row] as number);
    }
    const rows = end - start;
    buckets.push({
      scoreFrom: scores[order[start] as number] as number,
      scoreTo: last,
      rows,
      bad,
      predicted: round(predicted / rows, 6),
      observed: round(bad / rows, 6),
    });
    start = end;
  }
  return buckets;
}

/**
 * The ROC curve at `points` thresholds spread over the scores' quantiles (plus both ends): declining everyone
 * below a threshold, the share of bads declined against the share of goods declined.
 */
export function rocCurve(scores: ArrayLike<number>, labels: Uint8Array, points = 50): [number, number][] {
  const order = ascending(scores);
  let totalBad = 0;
  for (const label of labels) totalBad += label;
  const totalGood = labels.length - totalBad;
  const curve: [number, number][] = [[0, 0]];
  let bad = 0;
  let i = 0;
  for (let p = 1; p <= points; p++) {
    const target = Math.round((p * order.length) / points);
    while (
      i < order.length &&
      (i < target || (i > 0 && scores[order[i] as number] === scores[order[i - 1] as number]))
    ) {
      bad += labels[order[i] as number] as number;
      i++;
    }
    const point: [number, number] = [round((i - bad) / totalGood, 4), round(bad / totalBad, 4)];
    const previous = curve[curve.length - 1] as [number, number];
    if (point[0] !== previous[0] || point[1] !== previous[1]) curve.push(point);
    if (i >= order.length) break;
  }
  return curve;
}

import { z } from "zod";
import type { ModelArtifact, ModelFeature } from "../gbdt/artifact";
import { MODEL_FEATURES } from "../gbdt/features";
import type { ScoreInputs } from "../inputs";

/**
 * Population stability of the model: how far the scores (and each feature) of the applicants scored in a window
 * have moved from the training population the artifact describes. PSI = Σ (actual − expected) · ln(actual /
 * expected) over the same bins; the usual reading: under 0.1 stable, 0.1 to 0.25 "watch", 0.25 and over "act".
 */

export const PSI_WATCH = 0.1;
export const PSI_ACT = 0.25;

export const stabilityFlagSchema = z.enum(["stable", "watch", "act"]);
export type StabilityFlag = z.infer<typeof stabilityFlagSchema>;

// An empty bin would make PSI infinite; the conventional floor of a ten-thousandth keeps it finite and large.
const FLOOR = 1e-4;
const round = (value: number, digits: number) => Number(value.toFixed(digits));

export function stabilityFlag(psi: number): StabilityFlag {
  return psi >= PSI_ACT ? "act" : psi >= PSI_WATCH ? "watch" : "stable";
}

/** The worse of two flags; null (nothing compared) counts as nothing. */
export function worstFlag(flags: readonly (StabilityFlag | null)[]): StabilityFlag | null {
  const order: StabilityFlag[] = ["stable", "watch", "act"];
  let worst: StabilityFlag | null = null;
  for (const flag of flags) {
    if (flag !== null && (worst === null || order.indexOf(flag) > order.indexOf(worst))) worst = flag;
  }
  return worst;
}

/** PSI of observed counts against expected shares over the same bins; null without any observation. */
export function populationStability(expected: readonly number[], counts: readonly number[]): number | null {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  let psi = 0;
  for (const [i, share] of expected.entries()) {
    const e = Math.max(share, FLOOR);
    const a = Math.max((counts[i] ?? 0) / total, FLOOR);
    psi += (a - e) * Math.log(a / e);
  }
  return round(psi, 6);
}

export const binStabilitySchema = z.object({
  label: z.string(),
  expectedShare: z.number(),
  actualShare: z.number().nullable(),
  count: z.number().int(),
});

/** Counts of values over bins, with the shares that PSI compares. */
function binTable(labels: readonly string[], expected: readonly number[], counts: readonly number[]) {
  const total = counts.reduce((sum, n) => sum + n, 0);
  return labels.map((label, i) => ({
    label,
    expectedShare: expected[i] as number,
    actualShare: total === 0 ? null : round((counts[i] as number) / total, 6),
    count: counts[i] as number,
  }));
}

/** A running tally of one window's scores and inputs over the artifact's bins, fed a page of rows at a time. */
export function stabilityTally(model: ModelArtifact) {
  const { bounds } = model.scoreDistribution;
  const scoreCounts = new Array<number>(bounds.length + 1).fill(0);
  const featureCounts = model.features.map((feature) => new Array<number>(feature.bins.length + 1).fill(0));
  let rows = 0;

  const binOf = (feature: ModelFeature, value: number) => {
    if (Number.isNaN(value)) return feature.bins.length;
    const i = feature.bins.findIndex((bin) => bin.upper === null || value < bin.upper);
    return i < 0 ? feature.bins.length - 1 : i;
  };

  return {
    add(score: number, inputs: ScoreInputs) {
      rows++;
      let bucket = 0;
      while (bucket < bounds.length && score >= (bounds[bucket] as number)) bucket++;
      scoreCounts[bucket] = (scoreCounts[bucket] as number) + 1;
      model.features.forEach((feature, k) => {
        const counts = featureCounts[k] as number[];
        const bin = binOf(feature, (MODEL_FEATURES[k] as (typeof MODEL_FEATURES)[number]).value(inputs));
        counts[bin] = (counts[bin] as number) + 1;
      });
    },
    result(): StabilityResult {
      const scoreLabels = scoreCounts.map((_, i) => {
        const lower = i === 0 ? null : bounds[i - 1];
        const upper = i === bounds.length ? null : bounds[i];
        return lower === null
          ? `< ${upper}`
          : upper === null
            ? `≥ ${lower}`
            : `${lower}–${(upper as number) - 1}`;
      });
      const scorePsi = populationStability(model.scoreDistribution.shares, scoreCounts);
      const features = model.features.map((feature, k) => {
        const counts = featureCounts[k] as number[];
        const expected = [...feature.bins.map((bin) => bin.share), feature.missing.share];
        const psi = populationStability(expected, counts);
        const points = [...feature.bins.map((bin) => bin.points), feature.missing.points ?? 0];
        const total = counts.reduce((sum, n) => sum + n, 0);
        // Characteristic analysis: the points the shift in this feature's mix moved the average score by.
        const pointsShift =
          total === 0
            ? null
            : round(
                points.reduce(
                  (sum, p, i) => sum + p * ((counts[i] as number) / total - (expected[i] as number)),
                  0,
                ),
                2,
              );
        return {
          id: feature.id,
          label: feature.label,
          psi,
          flag: psi === null ? null : stabilityFlag(psi),
          pointsShift,
          bins: binTable([...feature.bins.map((bin) => bin.label), "missing"], expected, counts),
        };
      });
      return {
        scores: rows,
        score: {
          psi: scorePsi,
          flag: scorePsi === null ? null : stabilityFlag(scorePsi),
          buckets: binTable(scoreLabels, model.scoreDistribution.shares, scoreCounts),
        },
        features,
      };
    },
  };
}

export const stabilityResultSchema = z.object({
  /** Scores of the monitored model in the window. */
  scores: z.number().int(),
  score: z.object({
    psi: z.number().nullable(),
    flag: stabilityFlagSchema.nullable(),
    buckets: z.array(binStabilitySchema),
  }),
  /** Characteristic stability: each feature's PSI over its reporting bins, and the points its shift moved. */
  features: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      psi: z.number().nullable(),
      flag: stabilityFlagSchema.nullable(),
      pointsShift: z.number().nullable(),
      bins: z.array(binStabilitySchema),
    }),
  ),
});
export type StabilityResult = z.infer<typeof stabilityResultSchema>;

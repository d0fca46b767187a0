import { calibrationTable, evaluateScores, fitPlatt, rocCurve } from "../calibration.ts";
import type { ScoreInputs } from "../inputs.ts";
import { type ScorecardArtifact, scorecardArtifactSchema, serializeScorecard } from "./artifact.ts";
import type { CreditDataset } from "./csv.ts";
import { checkAgeRule, ELDERLY_AGE } from "./fair-lending.ts";
import { type BinnedFeature, binFeatureForScorecard } from "./feature-bins.ts";
import { FEATURES } from "./features.ts";
import { describeDataset } from "./provenance.ts";
import { binPoints, type Scaling, scaling } from "./scaling.ts";
import { scoreWithScorecard } from "./score.ts";
import { fitScorecardModel } from "./selection.ts";
import { stratifiedSplit } from "./split.ts";

/** Every choice of the training method, in one place; the artifact records them. */
export const TRAINING = {
  /** Bump when the method changes; the version also carries a digest of the fitted tables. */
  release: "2026.11-1",
  seed: 20_110_919,
  trainShare: 0.7,
  binning: {
    fineShare: 0.01,
    minShare: 0.005,
    minBad: 30,
    minGood: 30,
    maxBins: 10,
    minMissingCount: 100,
    maxMissingWoe: 0,
  },
  /** Features below this information value carry too little to be worth a reason code. */
  minInformationValue: 0.02,
  ridge: 1e-8,
  /** 700 points at 15:1 good:bad (about the training portfolio's average odds); 45 points double the odds. */
  pdo: 45,
  baseScore: 700,
  baseOdds: 15,
} as const;

export type TrainingOptions = {
  seed?: number;
  trainShare?: number;
  /** One line per stage, for the command line; silent by default. */
  onProgress?: (message: string) => void;
};

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/**
 * Trains the scorecard: seeded stratified split, monotone binning and WoE per feature, logistic
 * regression on the WoE values, integer points with points-to-double-odds scaling, the Regulation B
 * age check, and AUC/Gini/KS of the integer score on both samples. Pure: the same dataset and
 * options give the same artifact, byte for byte (stored numbers are rounded, and the version is a
 * digest of the rest, so no clock or machine detail gets in).
 */
export function trainScorecard(dataset: CreditDataset, options: TrainingOptions = {}): ScorecardArtifact {
  const progress = options.onProgress ?? (() => {});
  const seed = options.seed ?? TRAINING.seed;
  const trainShare = options.trainShare ?? TRAINING.trainShare;
  const { labels, inputs } = dataset;

  const split = stratifiedSplit(labels, trainShare, seed);
  progress(`split: ${split.train.length} train / ${split.holdout.length} holdout, stratified, seed ${seed}`);

  const binned = FEATURES.map((spec) => {
    const values = Float64Array.from(inputs, spec.value);
    const feature = binFeatureForScorecard(spec, values, labels, split.train, TRAINING.binning);
    const { count, learnt } = feature.missing;
    progress(
      `bin ${spec.id}: ${feature.bins.length} bins, bad rate ${feature.direction}, ` +
        `IV ${feature.informationValue.toFixed(3)}${count > 0 ? `, ${count} missing${learnt ? "" : " (worst bin)"}` : ""}`,
    );
    return feature;
  });

  const model = fitScorecardModel(binned, labels, split.train, TRAINING, progress);
  progress(
    `logistic regression: ${model.features.length} features, ${model.fit.iterations} Newton steps, ` +
      `log-likelihood ${model.fit.logLikelihood.toFixed(2)}`,
  );

  const scale = scaling(TRAINING.pdo, TRAINING.baseScore, TRAINING.baseOdds);
  const intercept = round(model.fit.intercept, 8);
  const features = model.features.map((feature, j) =>
    scoredFeature(
      feature,
      round(model.fit.coefficients[j] as number, 8),
      intercept,
      model.features.length,
      scale,
    ),
  );
  const fairLending = checkFairLending(features);
  progress(
    fairLending.ageScored
      ? `Regulation B: aged ${ELDERLY_AGE}+ get ${fairLending.agePointsFrom62} points for age, every other group at most ${fairLending.maxAgePointsOtherwise}`
      : "Regulation B: age not scored",
  );

  const artifact: ScorecardArtifact = {
    format: "blockscore.scorecard/1",
    version: "scorecard-pending",
    description:
      "Credit scorecard: logistic regression on weight-of-evidence of monotone-binned features, " +
      `integer points per bin, score = sum of points clamped to 300–850 (${scale.baseScore} points at ` +
      `${scale.baseOdds}:1 good:bad odds, ${scale.pdo} points to double the odds).`,
    dataset: describeDataset(dataset, split),
    method: {
      split: { seed, trainShare, stratified: true },
      binning: { ...TRAINING.binning, monotone: true },
      woeSmoothing: 0.5,
      minInformationValue: TRAINING.minInformationValue,
      regression: {
        algorithm: "logistic regression, Newton-Raphson (IRLS)",
        iterations: model.fit.iterations,
        ridge: TRAINING.ridge,
      },
    },
    scaling: {
      pdo: scale.pdo,
      baseScore: scale.baseScore,
      baseOdds: scale.baseOdds,
      factor: round(scale.factor, 6),
      offset: round(scale.offset, 6),
      minScore: 300,
      maxScore: 850,
    },
    intercept,
    features,
    excludedFeatures: model.excluded,
    metrics: { train: { rows: 0, auc: 0, gini: 0, ks: 0 }, holdout: { rows: 0, auc: 0, gini: 0, ks: 0 } },
    fairLending,
  };
  const train = scoresOn(artifact, dataset, split.train);
  artifact.calibration = fitPlatt(
    train.scores,
    train.labels,
    scale.baseScore,
    scale.pdo,
    `the training part (${split.train.length} rows)`,
  );
  const holdout = scoresOn(artifact, dataset, split.holdout);
  artifact.metrics = {
    train: evaluate(artifact, dataset, split.train),
    holdout: evaluate(artifact, dataset, split.holdout),
    holdoutDetail: {
      calibration: calibrationTable(holdout.scores, holdout.labels, artifact.calibration),
      roc: rocCurve(holdout.scores, holdout.labels),
    },
  };
  const { auc, gini, ks, brier } = artifact.metrics.holdout;
  progress(
    `holdout (integer score): AUC ${auc.toFixed(4)}, Gini ${gini.toFixed(4)}, KS ${ks.toFixed(4)}, Brier ${brier?.toFixed(4)}`,
  );

  const digest = new Bun.CryptoHasher("sha256").update(serializeScorecard(artifact)).digest("hex");
  artifact.version = `scorecard-${TRAINING.release}.${digest.slice(0, 8)}`;
  return scorecardArtifactSchema.parse(artifact);
}

function scoresOn(
  artifact: ScorecardArtifact,
  dataset: Pick<CreditDataset, "inputs" | "labels">,
  rows: Uint32Array,
): { scores: Float64Array; labels: Uint8Array } {
  return {
    scores: Float64Array.from(
      rows,
      (row) => scoreWithScorecard(artifact, dataset.inputs[row] as ScoreInputs).score,
    ),
    labels: Uint8Array.from(rows, (row) => dataset.labels[row] as number),
  };
}

/** AUC, Gini, KS and Brier of the artifact's own integer score and probability on the given rows. */
export function evaluate(
  artifact: ScorecardArtifact,
  dataset: Pick<CreditDataset, "inputs" | "labels">,
  rows: Uint32Array,
): ScorecardArtifact["metrics"]["holdout"] {
  const { scores, labels } = scoresOn(artifact, dataset, rows);
  const calibration = artifact.calibration;
  if (!calibration) throw new Error("evaluate needs a calibrated scorecard");
  return evaluateScores(scores, labels, calibration);
}

function scoredFeature(
  feature: BinnedFeature,
  coefficient: number,
  intercept: number,
  featureCount: number,
  scale: Scaling,
): ScorecardArtifact["features"][number] {
  const points = (woe: number) => binPoints(woe, coefficient, intercept, featureCount, scale);
  const { count, bad, learnt, woe } = feature.missing;
  return {
    id: feature.spec.id,
    label: feature.spec.label,
    inputs: [...feature.spec.inputs],
    riskDirection: feature.direction,
    informationValue: round(feature.informationValue, 6),
    coefficient,
    bins: feature.bins.map((bin) => ({ ...bin, points: points(bin.woe) })),
    missing: {
      count,
      bad,
      badRate: count > 0 ? round(bad / count, 6) : null,
      learnt,
      woe,
      points: points(woe),
    },
  };
}

/** Asserts the Regulation B age rule on the fitted points; training fails rather than ship a breach. */
function checkFairLending(features: ScorecardArtifact["features"]): ScorecardArtifact["fairLending"] {
  const rule =
    `Regulation B, 12 CFR 1002.6(b)(2)(ii): applicants aged ${ELDERLY_AGE}+ receive at least as many points ` +
    "for age as any other age group; age is never given as a reason";
  const age = features.find((feature) => feature.id === "age");
  if (!age) return { rule, ageScored: false, agePointsFrom62: null, maxAgePointsOtherwise: null };
  const check = checkAgeRule(age.bins, age.missing.points);
  if (!check.satisfied) {
    throw new Error(
      `Regulation B: applicants aged ${ELDERLY_AGE}+ get ${check.pointsFrom62} points for age, others up to ${check.maxOtherPoints}`,
    );
  }
  return {
    rule,
    ageScored: true,
    agePointsFrom62: check.pointsFrom62,
    maxAgePointsOtherwise: check.maxOtherPoints,
  };
}

import { calibrationTable, evaluateScores, fitPlatt, rocCurve } from "../calibration.ts";
import type { ScoreInputs } from "../inputs.ts";
import type { CreditDataset } from "../scorecard/csv.ts";
import { describeDataset } from "../scorecard/provenance.ts";
import { scaling } from "../scorecard/scaling.ts";
import { type Split, stratifiedSplit } from "../scorecard/split.ts";
import { TRAINING as SCORECARD_TRAINING } from "../scorecard/train.ts";
import { type ModelArtifact, modelArtifactSchema, serializeModel } from "./artifact.ts";
import { type BoostParams, boost } from "./boost.ts";
import { decodeTree, encodeTree } from "./decode.ts";
import { MODEL_FEATURES, REQUIRED_DIRECTIONS, riskSign } from "./features.ts";
import { binMatrix, type FeatureBins, featureBins } from "./histogram.ts";
import { reportingFeature, scoreDistribution } from "./reporting.ts";
import { explainWithModel } from "./score.ts";
import type { BinnedData, GrownTree } from "./tree.ts";
import { expectedValue, type Tree } from "./trees.ts";

/** Every choice of the training method, in one place; the artifact records them. */
export const MODEL_TRAINING = {
  /** Bump when the method changes; the version also carries a digest of the artifact. */
  release: "2026.11-1",
  /** The scorecard's split, so both engines' holdout figures are measured on the same 45,000 rows. */
  seed: SCORECARD_TRAINING.seed,
  trainShare: SCORECARD_TRAINING.trainShare,
  /** The part of the training rows kept aside to stop the boosting and fit the calibration. */
  validation: { seed: 7, share: 0.2 },
  maxBins: 255,
  boosting: {
    maxDepth: 4,
    learningRate: 0.1,
    lambda: 1,
    minChildRows: 200,
    minChildHessian: 1,
    minGain: 0,
    minMissingRows: 50,
    maxTrees: 2000,
    earlyStoppingRounds: 100,
    valueDecimals: 7,
  } satisfies BoostParams,
  tuning:
    "depth, learning rate, rows per leaf and L2 penalty from a grid (scripts/tune-model.ts): the smallest " +
    "ensemble within 0.001 of the best validation AUC; the holdout plays no part",
  /** The scorecard's scaling: 700 points at 15:1 good:bad odds, 45 points to double them. */
  pdo: SCORECARD_TRAINING.pdo,
  baseScore: SCORECARD_TRAINING.baseScore,
  baseOdds: SCORECARD_TRAINING.baseOdds,
} as const;

export type ModelTrainingOptions = {
  seed?: number;
  /** Overrides of the boosting parameters (the tuning script's grid); the artifact records what was used. */
  boosting?: Partial<BoostParams>;
  /** One line per stage, for the command line; silent by default. */
  onProgress?: (message: string) => void;
};

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** A grown tree with thresholds in the features' units, covers from the fitting rows. */
export function toTree(grown: GrownTree, bins: readonly FeatureBins[]): Tree {
  const size = grown.feature.length;
  return {
    feature: Int32Array.from(grown.feature),
    threshold: Float64Array.from({ length: size }, (_, node) => {
      const feature = grown.feature[node] as number;
      return feature < 0
        ? 0
        : ((bins[feature] as FeatureBins).edges[(grown.bin[node] as number) - 1] as number);
    }),
    missingLeft: Uint8Array.from(grown.missingLeft, (left) => (left ? 1 : 0)),
    left: Int32Array.from(grown.left),
    right: Int32Array.from(grown.right),
    value: Float64Array.from(grown.value),
    cover: Float64Array.from(grown.cover),
  };
}

export type ModelData = {
  split: Split;
  /** The training rows the trees are fitted on, and the rest of the training rows, kept for validation. */
  fit: Uint32Array;
  validation: Uint32Array;
  /** Each feature's value on every row (NaN = missing), its histogram bins, and the binned rows. */
  columns: Float64Array[];
  bins: FeatureBins[];
  data: BinnedData;
};

/**
 * The rows and features the trees learn from: the scorecard's seeded stratified 70/30 split, a stratified
 * fifth of the training part kept for validation, the features' histogram bins from the fitting rows.
 */
export function prepareModelData(dataset: CreditDataset, seed: number = MODEL_TRAINING.seed): ModelData {
  const { labels, inputs } = dataset;
  const { trainShare, validation: validationSplit } = MODEL_TRAINING;
  const split = stratifiedSplit(labels, trainShare, seed);
  const trainLabels = Uint8Array.from(split.train, (row) => labels[row] as number);
  const inner = stratifiedSplit(trainLabels, 1 - validationSplit.share, validationSplit.seed);
  const fit = Uint32Array.from(inner.train, (i) => split.train[i] as number);
  const validation = Uint32Array.from(inner.holdout, (i) => split.train[i] as number);
  const columns = MODEL_FEATURES.map((spec) => Float64Array.from(inputs, spec.value));
  const bins = columns.map((values) => featureBins(values, fit, MODEL_TRAINING.maxBins));
  const data: BinnedData = {
    codes: binMatrix(columns, bins),
    rows: labels.length,
    missingBin: Int32Array.from(bins, (b) => b.missingBin),
    monotone: Int8Array.from(MODEL_FEATURES, (spec) => riskSign(REQUIRED_DIRECTIONS[spec.id])),
  };
  return { split, fit, validation, columns, bins, data };
}

/**
 * Trains the boosted trees: the scorecard's seeded stratified 70/30 split; a stratified fifth of the training
 * part kept for validation; histogram bins from the fitting rows; gradient boosting of the logistic loss with
 * the monotone constraints, stopped early on the validation log-loss; Platt calibration on the validation
 * part; metrics of the served integer score. Pure: the same dataset and options give the same artifact, byte
 * for byte (leaf values are rounded, every sum runs in a fixed order, the version is a digest of the rest).
 */
export function trainModel(dataset: CreditDataset, options: ModelTrainingOptions = {}): ModelArtifact {
  const progress = options.onProgress ?? (() => {});
  const seed = options.seed ?? MODEL_TRAINING.seed;
  const { trainShare, validation: validationSplit } = MODEL_TRAINING;
  const params: BoostParams = { ...MODEL_TRAINING.boosting, ...options.boosting };
  const { labels, inputs } = dataset;

  const { split, fit, validation, columns, bins, data } = prepareModelData(dataset, seed);
  progress(
    `split: ${fit.length} fit + ${validation.length} validation / ${split.holdout.length} holdout, stratified, seed ${seed}`,
  );
  progress(
    `histograms: ${bins.map((b, f) => `${MODEL_FEATURES[f]?.id} ${b.missingBin}`).join(", ")} value bins`,
  );

  const boosted = boost(data, labels, fit, validation, params, progress);
  progress(
    `boosting: ${boosted.trees.length} trees kept of ${boosted.validationLoss.length} grown ` +
      `(validation log-loss ${boosted.validationLoss[boosted.trees.length - 1]?.toFixed(6)})`,
  );
  const trees = boosted.trees.map((grown) => toTree(grown, bins));
  const scale = scaling(MODEL_TRAINING.pdo, MODEL_TRAINING.baseScore, MODEL_TRAINING.baseOdds);
  const factor = round(scale.factor, 6);
  const offset = round(scale.offset, 6);
  const referenceMargin = round(
    trees.reduce((sum, tree) => sum + expectedValue(tree), boosted.baseMargin),
    8,
  );

  const importance = new Float64Array(MODEL_FEATURES.length);
  for (const grown of boosted.trees) {
    grown.feature.forEach((feature, node) => {
      if (feature >= 0) importance[feature] = (importance[feature] as number) + (grown.gain[node] as number);
    });
  }
  const totalGain = importance.reduce((sum, gain) => sum + gain, 0);

  const artifact: ModelArtifact = {
    format: "blockscore.gbdt/1",
    version: "gbdt-pending",
    description:
      `Gradient-boosted decision trees (${trees.length} trees of depth ${params.maxDepth} at most, histogram-based, ` +
      "logistic loss) with monotone constraints: more lateness or utilisation never raises the score, age never " +
      `lowers it. Score = ${scale.baseScore} points at ${scale.baseOdds}:1 good:bad odds, ${scale.pdo} points to ` +
      "double the odds, clamped to 300–850; each score's exact per-feature points by path-dependent TreeSHAP.",
    dataset: describeGbdtDataset(dataset, split),
    method: {
      split: { seed, trainShare, stratified: true },
      validation: { ...validationSplit, stratified: true },
      histogram: { maxBins: MODEL_TRAINING.maxBins },
      boosting: {
        loss: "logistic",
        maxDepth: params.maxDepth,
        learningRate: params.learningRate,
        lambda: params.lambda,
        minChildRows: params.minChildRows,
        minChildHessian: params.minChildHessian,
        minGain: params.minGain,
        minMissingRows: params.minMissingRows,
        maxTrees: params.maxTrees,
        earlyStoppingRounds: params.earlyStoppingRounds,
        treesGrown: boosted.validationLoss.length,
      },
      monotone: "bounds: a constrained split's left subtree is capped at its right sibling's weight",
      calibration: `Platt scaling of the integer score on the validation part (${validation.length} rows)`,
      tuning: MODEL_TRAINING.tuning,
    },
    scaling: {
      pdo: scale.pdo,
      baseScore: scale.baseScore,
      baseOdds: scale.baseOdds,
      factor,
      offset,
      minScore: 300,
      maxScore: 850,
    },
    features: [],
    baseMargin: boosted.baseMargin,
    reference: { margin: referenceMargin, score: round(offset - factor * referenceMargin, 6) },
    trees: trees.map(encodeTree),
    calibration: { method: "platt", intercept: 0, slope: -1, center: 0, scale: 1, fittedOn: "", rows: 1 },
    metrics: {
      train: { rows: 0, auc: 0, gini: 0, ks: 0, brier: 0 },
      validation: { rows: 0, auc: 0, gini: 0, ks: 0, brier: 0 },
      holdout: { rows: 0, auc: 0, gini: 0, ks: 0, brier: 0 },
      holdoutDetail: { calibration: [], roc: [] },
    },
    scoreDistribution: { bounds: [], counts: [], shares: [] },
    fairLending: {
      rule:
        "Regulation B, 12 CFR 1002.6(b)(2)(ii): the score never falls as age rises and a missing age scores as " +
        "the youngest, so applicants aged 62+ never score lower for their age than anyone younger; age is never " +
        "given as a reason",
      ageScored: importance[MODEL_FEATURES.findIndex((spec) => spec.id === "age")] !== 0,
      monotoneInAge: true,
      missingAgeScoredAsYoungest: true,
    },
  };
  // Decoding checks what was encoded: the trees scored from here on are the artifact's.
  for (const nodes of artifact.trees) {
    if (typeof decodeTree(nodes, params.maxDepth) === "string") throw new Error("tree encoding failed");
  }

  progress("explaining every training row (TreeSHAP)");
  const scoreAll = new Float64Array(labels.length);
  const points = MODEL_FEATURES.map(() => new Float64Array(labels.length));
  const explainRows = (rows: Uint32Array) => {
    for (const row of rows) {
      const explanation = explainWithModel(artifact, inputs[row] as ScoreInputs);
      scoreAll[row] = explanation.score;
      explanation.contributions.forEach((c, k) => {
        (points[k] as Float64Array)[row] = c.points;
      });
    }
  };
  explainRows(split.train);
  explainRows(split.holdout);
  const scoresOf = (rows: Uint32Array) => Float64Array.from(rows, (row) => scoreAll[row] as number);
  const labelsOf = (rows: Uint32Array) => Uint8Array.from(rows, (row) => labels[row] as number);

  artifact.calibration = fitPlatt(
    scoresOf(validation),
    labelsOf(validation),
    scale.baseScore,
    scale.pdo,
    `the validation part of the training data (${validation.length} rows)`,
  );
  artifact.metrics = {
    train: evaluateScores(scoresOf(split.train), labelsOf(split.train), artifact.calibration),
    validation: evaluateScores(scoresOf(validation), labelsOf(validation), artifact.calibration),
    holdout: evaluateScores(scoresOf(split.holdout), labelsOf(split.holdout), artifact.calibration),
    holdoutDetail: {
      calibration: calibrationTable(scoresOf(split.holdout), labelsOf(split.holdout), artifact.calibration),
      roc: rocCurve(scoresOf(split.holdout), labelsOf(split.holdout)),
    },
  };
  artifact.scoreDistribution = scoreDistribution(scoresOf(split.train));
  artifact.features = MODEL_FEATURES.map((_, k) =>
    reportingFeature(
      k,
      columns[k] as Float64Array,
      bins[k] as FeatureBins,
      points[k] as Float64Array,
      labels,
      split.train,
      totalGain > 0 ? round((importance[k] as number) / totalGain, 6) : 0,
    ),
  );
  const { auc, gini, ks, brier } = artifact.metrics.holdout;
  progress(
    `holdout (integer score): AUC ${auc.toFixed(4)}, Gini ${gini.toFixed(4)}, KS ${ks.toFixed(4)}, Brier ${brier.toFixed(4)}`,
  );

  const digest = new Bun.CryptoHasher("sha256").update(serializeModel(artifact)).digest("hex");
  artifact.version = `gbdt-${MODEL_TRAINING.release}.${digest.slice(0, 8)}`;
  return modelArtifactSchema.parse(artifact);
}

function describeGbdtDataset(dataset: CreditDataset, split: Split) {
  const description = describeDataset(dataset, split);
  const { quirks } = dataset;
  return {
    ...description,
    quirks: {
      ...description.quirks,
      pastDueSentinel: `${quirks.pastDueSentinelRows} rows with 96/98 in the past-due counters: missing, sent to the riskier side of every split on a counter`,
      incomeMissing: `${quirks.incomeMissingRows} rows with MonthlyIncome NA: income and debt ratio missing; each split learns where missing values go`,
      utilizationCapped: `${quirks.utilizationCappedRows} rows with utilisation above 100: capped at 100 (far above the highest split)`,
    },
  };
}

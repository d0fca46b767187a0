import { scoreBand } from "../../score-bands";
import { probabilityOfDefault } from "../calibration.ts";
import {
  type Reason,
  SCORE_MAX,
  SCORE_MIN,
  type ScoreInputKey,
  type ScoreInputs,
  type ScoreResult,
  scoreInputsSchema,
} from "../inputs.ts";
import type { FeatureId } from "../scorecard/features.ts";
import { MAX_REASONS } from "../scorecard/score.ts";
import type { ModelArtifact } from "./artifact.ts";
import { decodeTree } from "./decode.ts";
import { MODEL_FEATURES } from "./features.ts";
import { accumulate, type ExplainedEnsemble, explainEnsemble } from "./shap.ts";
import { leafFor, type Tree } from "./trees.ts";

/** One feature's part of a score: integer points against the reference applicant. */
export type Contribution = { feature: FeatureId; points: number; missing: boolean };

/**
 * A score with its exact explanation: `referenceScore + Σ contributions.points = unclampedScore`, and `score`
 * is that clamped to 300–850.
 */
export type ModelExplanation = {
  score: number;
  unclampedScore: number;
  referenceScore: number;
  contributions: Contribution[];
};

type CompiledModel = {
  version: string;
  ensemble: ExplainedEnsemble;
  baseMargin: number;
  factor: number;
  offset: number;
  referenceScore: number;
  calibration: ModelArtifact["calibration"];
  inputs: ScoreInputKey[];
  trees: Tree[];
  /** Scratch space, reused by every call (scoring is synchronous). */
  x: Float64Array;
  phi: Float64Array;
  goes: Int32Array;
};

const compiled = new WeakMap<ModelArtifact, CompiledModel>();
const INPUT_ORDER = Object.keys(scoreInputsSchema.shape) as ScoreInputKey[];

/** Decodes the trees and builds their TreeSHAP tables once per artifact; later calls reuse them. */
export function compileModel(artifact: ModelArtifact): CompiledModel {
  const cached = compiled.get(artifact);
  if (cached) return cached;
  const trees = artifact.trees.map((nodes) => {
    const tree = decodeTree(nodes, artifact.method.boosting.maxDepth);
    if (typeof tree === "string") throw new Error(`invalid tree: ${tree}`);
    return tree;
  });
  const ensemble = explainEnsemble(trees);
  const used = new Set<string>(MODEL_FEATURES.flatMap((spec) => spec.inputs));
  const model: CompiledModel = {
    version: artifact.version,
    ensemble,
    baseMargin: artifact.baseMargin,
    factor: artifact.scaling.factor,
    offset: artifact.scaling.offset,
    referenceScore: Math.round(artifact.reference.score),
    calibration: artifact.calibration,
    inputs: INPUT_ORDER.filter((key) => used.has(key)),
    trees,
    x: new Float64Array(MODEL_FEATURES.length),
    phi: new Float64Array(MODEL_FEATURES.length),
    goes: new Int32Array(ensemble.maxSplits),
  };
  compiled.set(artifact, model);
  return model;
}

/**
 * Integers that add up to `target`, each as close to its real value as that allows: everything is rounded,
 * then the difference goes one point at a time to the values that rounding moved the most the other way.
 */
export function apportion(values: Float64Array, target: number): Int32Array {
  const rounded = Int32Array.from(values, (value) => Math.round(value));
  let difference = target - rounded.reduce((sum, value) => sum + value, 0);
  while (difference !== 0) {
    const step = Math.sign(difference);
    let pick = 0;
    let widest = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < values.length; k++) {
      const gap = step * ((values[k] as number) - (rounded[k] as number));
      if (gap > widest) {
        widest = gap;
        pick = k;
      }
    }
    rounded[pick] = (rounded[pick] as number) + step;
    difference -= step;
  }
  return rounded;
}

/**
 * The score of the inputs and each feature's exact share of it (path-dependent TreeSHAP, in points: the
 * margin's Shapley values times −factor), measured against the reference applicant, the training population's
 * expected margin. Rounded to integers that add up to the unclamped score.
 */
export function explainWithModel(artifact: ModelArtifact, inputs: ScoreInputs): ModelExplanation {
  const model = compileModel(artifact);
  const { x, phi } = model;
  for (let k = 0; k < MODEL_FEATURES.length; k++)
    x[k] = (MODEL_FEATURES[k] as (typeof MODEL_FEATURES)[number]).value(inputs);
  phi.fill(0);
  const margin = model.baseMargin + accumulate(model.ensemble, x, phi, model.goes);
  const unclampedScore = Math.round(model.offset - model.factor * margin);
  for (let k = 0; k < phi.length; k++) phi[k] = -model.factor * (phi[k] as number);
  const points = apportion(phi, unclampedScore - model.referenceScore);
  return {
    score: Math.min(SCORE_MAX, Math.max(SCORE_MIN, unclampedScore)),
    unclampedScore,
    referenceScore: model.referenceScore,
    contributions: MODEL_FEATURES.map((spec, k) => ({
      feature: spec.id,
      points: points[k] as number,
      missing: Number.isNaN(x[k] as number),
    })),
  };
}

/**
 * The score alone, without its explanation: the trees' leaves summed, as `scoreWithModel` scores. For searches
 * over many candidate inputs (missing-inputs.ts), where TreeSHAP on each would cost a hundred times more.
 */
export function predictWithModel(artifact: ModelArtifact, inputs: ScoreInputs): number {
  const model = compileModel(artifact);
  const { x } = model;
  for (let k = 0; k < MODEL_FEATURES.length; k++)
    x[k] = (MODEL_FEATURES[k] as (typeof MODEL_FEATURES)[number]).value(inputs);
  let margin = model.baseMargin;
  for (const tree of model.trees) margin += tree.value[leafFor(tree, x)] as number;
  return Math.min(SCORE_MAX, Math.max(SCORE_MIN, Math.round(model.offset - model.factor * margin)));
}

/**
 * Scores inputs with the boosted trees. Reasons are the disclosable features that cost the most points
 * against the reference applicant, at most four, one per reason code (age is never one).
 */
export function scoreWithModel(artifact: ModelArtifact, inputs: ScoreInputs): ScoreResult {
  const model = compileModel(artifact);
  const explanation = explainWithModel(artifact, inputs);
  const reasons: Reason[] = [];
  explanation.contributions.forEach(({ points, missing }, k) => {
    const spec = MODEL_FEATURES[k] as (typeof MODEL_FEATURES)[number];
    if (points >= 0 || spec.protectedCharacteristic) return;
    const text = missing ? spec.missingReason : spec.reason;
    const existing = reasons.find((reason) => reason.code === text.code);
    if (existing) existing.impact -= points;
    else reasons.push({ code: text.code, description: text.description, impact: -points });
  });
  reasons.sort((a, b) => b.impact - a.impact || (a.code < b.code ? -1 : 1));
  if (reasons.length > MAX_REASONS) reasons.length = MAX_REASONS;
  const { score } = explanation;
  return {
    score,
    band: scoreBand(score),
    probabilityOfDefault: probabilityOfDefault(model.calibration, score),
    engine: "model",
    modelVersion: model.version,
    reasons,
    missingInputs: model.inputs.filter((key) => inputs[key] === null),
  };
}

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
import type { ScorecardArtifact } from "./artifact.ts";
import { binIndex } from "./binning.ts";
import { featureSpec, type ReasonText } from "./features.ts";

/** Maximum number of reasons returned with a score. */
export const MAX_REASONS = 4;

type CompiledFeature = {
  value: (inputs: ScoreInputs) => number;
  cuts: Float64Array;
  points: Int32Array;
  missingPoints: number;
  /** The most points any value bin gives: a reason's impact is measured against it. */
  bestPoints: number;
  /** Protected characteristics (age) are scored but never named as a reason. */
  disclosable: boolean;
  reason: ReasonText;
  missingReason: ReasonText;
};

type CompiledScorecard = {
  version: string;
  features: CompiledFeature[];
  inputs: ScoreInputKey[];
  probabilityOfDefault: (score: number) => number;
};

const compiled = new WeakMap<ScorecardArtifact, CompiledScorecard>();
const INPUT_ORDER = Object.keys(scoreInputsSchema.shape) as ScoreInputKey[];

/** Turns the artifact into flat lookup tables once; later calls reuse them. */
function compile(artifact: ScorecardArtifact): CompiledScorecard {
  const cached = compiled.get(artifact);
  if (cached) return cached;
  const used = new Set<string>();
  const features = artifact.features.map((feature): CompiledFeature => {
    const spec = featureSpec(feature.id);
    for (const input of spec.inputs) used.add(input);
    const points = Int32Array.from(feature.bins.map((bin) => bin.points));
    return {
      value: spec.value,
      cuts: Float64Array.from(feature.bins.slice(1).map((bin) => bin.lower as number)),
      points,
      missingPoints: feature.missing.points,
      bestPoints: Math.max(...points),
      disclosable: !spec.protectedCharacteristic,
      reason: spec.reason,
      missingReason: spec.missingReason,
    };
  });
  const { calibration, scaling } = artifact;
  const result = {
    version: artifact.version,
    features,
    inputs: INPUT_ORDER.filter((key) => used.has(key)),
    // An artifact from before calibration was added: the probability its own scaling implies.
    probabilityOfDefault: calibration
      ? (score: number) => probabilityOfDefault(calibration, score)
      : (score: number) => Number((1 / (1 + Math.exp((score - scaling.offset) / scaling.factor))).toFixed(6)),
  };
  compiled.set(artifact, result);
  return result;
}

/**
 * Scores inputs with the scorecard: each feature's value falls in one bin (or the missing bin), the
 * bins' integer points add up to the score, clamped to 300–850. Reasons are the disclosable factors
 * that cost the most points against their best bin, at most four, one per reason code.
 */
export function scoreWithScorecard(artifact: ScorecardArtifact, inputs: ScoreInputs): ScoreResult {
  const card = compile(artifact);
  let total = 0;
  const reasons: Reason[] = [];
  for (const feature of card.features) {
    const value = feature.value(inputs);
    const missing = Number.isNaN(value);
    const points = missing
      ? feature.missingPoints
      : (feature.points[binIndex(feature.cuts, value)] as number);
    total += points;
    const cost = feature.bestPoints - points;
    if (cost > 0 && feature.disclosable)
      addReason(reasons, missing ? feature.missingReason : feature.reason, cost);
  }
  reasons.sort((a, b) => b.impact - a.impact || (a.code < b.code ? -1 : 1));
  if (reasons.length > MAX_REASONS) reasons.length = MAX_REASONS;
  const score = Math.min(SCORE_MAX, Math.max(SCORE_MIN, total));
  return {
    score,
    band: scoreBand(score),
    probabilityOfDefault: card.probabilityOfDefault(score),
    engine: "scorecard",
    modelVersion: card.version,
    reasons,
    missingInputs: card.inputs.filter((key) => inputs[key] === null),
  };
}

function addReason(reasons: Reason[], text: ReasonText, cost: number): void {
  for (const reason of reasons) {
    if (reason.code === text.code) {
      reason.impact += cost;
      return;
    }
  }
  reasons.push({ code: text.code, description: text.description, impact: cost });
}

import type { ModelArtifact } from "./gbdt/artifact.ts";
import { modelProbes } from "./gbdt/probes.ts";
import { predictWithModel, scoreWithModel } from "./gbdt/score.ts";
import type { ScoreInputs, ScoreResult } from "./inputs.ts";
import type { ProbePoints } from "./missing-inputs.ts";
import { scoreWithRules } from "./rules.ts";
import type { ScorecardArtifact } from "./scorecard/artifact.ts";
import { scorecardProbes } from "./scorecard/probes.ts";
import { scoreWithScorecard } from "./scorecard/score.ts";

/** The engine scoring on this server, chosen and loaded once at start, with why it is that one. */
export type LoadedEngine =
  | { engine: "model"; model: ModelArtifact; reason: string }
  | { engine: "scorecard"; scorecard: ScorecardArtifact; reason: string }
  | { engine: "rules"; reason: string };

/** The rules engine, as a `LoadedEngine`: the fallback, and what tests use when no artifact matters. */
export const RULES_ENGINE: LoadedEngine = { engine: "rules", reason: "SCORING_ENGINE=rules" };

/**
 * Scores inputs with the loaded engine: a plain function of the inputs. The caller checks
 * `requiredInputs(inputs)` first and answers 4xx when any is missing.
 */
export function computeScore(inputs: ScoreInputs, scoring: LoadedEngine): ScoreResult {
  switch (scoring.engine) {
    case "model":
      return scoreWithModel(scoring.model, inputs);
    case "scorecard":
      return scoreWithScorecard(scoring.scorecard, inputs);
    case "rules":
      return scoreWithRules(inputs);
  }
}

/**
 * An engine as the no-gaming rule reads it: its score function, the score alone where that is much cheaper
 * (the trees without their explanation), and where its score can change.
 */
export type ScoringEngine = {
  score: (inputs: ScoreInputs) => ScoreResult;
  predict: (inputs: ScoreInputs) => number;
  probes: ProbePoints;
};

/**
 * The loaded engine as the no-gaming rule reads it. Its probe points are where its score can change: the
 * scorecard's bin edges, the trees' split thresholds; the rules engine is monotone in every input, so its range's
 * ends suffice.
 */
export function scoringEngine(scoring: LoadedEngine): ScoringEngine {
  switch (scoring.engine) {
    case "model":
      return {
        score: (inputs) => scoreWithModel(scoring.model, inputs),
        predict: (inputs) => predictWithModel(scoring.model, inputs),
        probes: modelProbes(scoring.model),
      };
    case "scorecard": {
      const score = (inputs: ScoreInputs) => scoreWithScorecard(scoring.scorecard, inputs);
      return { score, predict: (inputs) => score(inputs).score, probes: scorecardProbes(scoring.scorecard) };
    }
    case "rules":
      return { score: scoreWithRules, predict: (inputs) => scoreWithRules(inputs).score, probes: {} };
  }
}

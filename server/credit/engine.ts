import type { ModelArtifact } from "./gbdt/artifact.ts";
import { scoreWithModel } from "./gbdt/score.ts";
import type { ScoreInputs, ScoreResult } from "./inputs.ts";
import { scoreWithRules } from "./rules.ts";
import type { ScorecardArtifact } from "./scorecard/artifact.ts";
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

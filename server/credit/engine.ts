import type { ScoreInputs, ScoreResult } from "./inputs.ts";
import { scoreWithRules } from "./rules.ts";
import type { ScorecardArtifact } from "./scorecard/artifact.ts";
import { scoreWithScorecard } from "./scorecard/score.ts";

/** "model" uses the scorecard when one is loaded (the default); "rules" forces the fallback engine. */
export type EnginePreference = "model" | "rules";

/**
 * Scores with the scorecard when it is loaded and preferred, otherwise with the rules engine.
 * The caller checks `requiredInputs(inputs)` first and answers 4xx when any is missing.
 */
export function computeScore(
  inputs: ScoreInputs,
  scorecard: ScorecardArtifact | null,
  preference: EnginePreference = "model",
): ScoreResult {
  return scorecard !== null && preference === "model"
    ? scoreWithScorecard(scorecard, inputs)
    : scoreWithRules(inputs);
}

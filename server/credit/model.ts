import { type Config, ConfigError } from "../config";
import type { HealthCheck } from "../health";
import type { EnginePreference } from "./engine";
import type { ScoreEngine } from "./inputs";
import { PROFILE_FIELD_FOR_INPUT } from "./profile-inputs";
import { RULES_REASONS, RULES_VERSION, RULES_WEIGHTS } from "./rules";
import type { ModelCard } from "./schemas";
import type { ScorecardArtifact } from "./scorecard/artifact";
import { FEATURES, featureSpec } from "./scorecard/features";
import { DEFAULT_SCORECARD_PATH, loadScorecard } from "./scorecard/load";

/**
 * Loads the scorecard named by SCORECARD_PATH (the committed artifact by default) once, at start. No file
 * means null, and the rules engine scores; a file that is not a valid scorecard stops start-up.
 */
export async function loadScoringModel(
  config: Pick<Config, "SCORECARD_PATH">,
): Promise<ScorecardArtifact | null> {
  const path = config.SCORECARD_PATH ?? DEFAULT_SCORECARD_PATH;
  try {
    return await loadScorecard(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `Invalid configuration:\n  SCORECARD_PATH: ${reason}\n  (retrain with \`bun run model:train\`, point SCORECARD_PATH at a valid artifact, or remove the file to score with the rules engine)`,
    );
  }
}

export type EngineChoice = { engine: ScoreEngine; version: string; reason: string };

/** Which engine scores, with what version, and why. */
export function engineInUse(scorecard: ScorecardArtifact | null, preference: EnginePreference): EngineChoice {
  if (preference === "rules")
    return { engine: "rules", version: RULES_VERSION, reason: "SCORING_ENGINE=rules" };
  if (!scorecard) {
    return {
      engine: "rules",
      version: RULES_VERSION,
      reason: "no scorecard artifact installed; rules engine as fallback",
    };
  }
  return { engine: "model", version: scorecard.version, reason: "scorecard loaded" };
}

/** The `model` check of /api/health: which engine scores; never an error, as the rules engine always can. */
export function checkModel(scorecard: ScorecardArtifact | null, preference: EnginePreference): HealthCheck {
  const choice = engineInUse(scorecard, preference);
  return {
    status: "ok",
    detail: choice.reason,
    info: {
      engine: choice.engine,
      version: choice.version,
      holdoutAuc: choice.engine === "model" && scorecard ? scorecard.metrics.holdout.auc : null,
    },
  };
}

const reasonCodes = (texts: { code: string; description: string }[]) => {
  const seen = new Map(texts.map((text) => [text.code, text.description]));
  return [...seen]
    .map(([code, description]) => ({ code, description }))
    .sort((a, b) => a.code.localeCompare(b.code));
};

/** The model card: what scores on this server and how; aggregates only, never a training row. */
export function modelCard(scorecard: ScorecardArtifact | null, preference: EnginePreference): ModelCard {
  const choice = engineInUse(scorecard, preference);
  return {
    engine: choice.engine,
    version: choice.version,
    engineReason: choice.reason,
    scorecard: scorecard && {
      version: scorecard.version,
      description: scorecard.description,
      features: scorecard.features.map((feature) => ({
        id: feature.id,
        label: feature.label,
        inputs: feature.inputs,
        profileFields: [
          ...new Set(featureSpec(feature.id).inputs.map((input) => PROFILE_FIELD_FOR_INPUT[input])),
        ],
        informationValue: feature.informationValue,
        bins: feature.bins.map(({ label, lower, upper, points }) => ({ label, lower, upper, points })),
        missingPoints: feature.missing.points,
      })),
      excludedFeatures: scorecard.excludedFeatures,
      scaling: {
        pdo: scorecard.scaling.pdo,
        baseScore: scorecard.scaling.baseScore,
        baseOdds: scorecard.scaling.baseOdds,
        minScore: scorecard.scaling.minScore,
        maxScore: scorecard.scaling.maxScore,
      },
      metrics: scorecard.metrics,
      provenance: {
        name: scorecard.dataset.name,
        publisher: scorecard.dataset.publisher,
        year: scorecard.dataset.year,
        url: scorecard.dataset.url,
        terms: scorecard.dataset.terms,
        sha256: scorecard.dataset.sha256,
        rows: scorecard.dataset.rows,
        trainRows: scorecard.dataset.trainRows,
        holdoutRows: scorecard.dataset.holdoutRows,
      },
      fairLending: scorecard.fairLending,
      reasonCodes: reasonCodes(
        FEATURES.filter((spec) => !spec.protectedCharacteristic).flatMap((spec) => [
          spec.reason,
          spec.missingReason,
        ]),
      ),
    },
    rules: {
      version: RULES_VERSION,
      weights: { ...RULES_WEIGHTS },
      reasonCodes: reasonCodes(Object.values(RULES_REASONS)),
    },
  };
}

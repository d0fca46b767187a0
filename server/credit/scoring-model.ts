import { type Config, ConfigError } from "../config";
import type { HealthCheck } from "../health-check";
import type { LoadedEngine } from "./engine";
import type { ModelArtifact } from "./gbdt/artifact";
import { DEFAULT_MODEL_PATH, loadModel } from "./gbdt/load";
import { PROFILE_FIELD_FOR_INPUT } from "./profile-inputs";
import { RULES_REASONS, RULES_VERSION, RULES_WEIGHTS } from "./rules";
import type { ModelCard } from "./schemas";
import type { ScorecardArtifact } from "./scorecard/artifact";
import { FEATURES, type FeatureId, featureSpec } from "./scorecard/features";
import { DEFAULT_SCORECARD_PATH, loadScorecard } from "./scorecard/load";

type ScoringConfig = Pick<Config, "SCORING_ENGINE" | "MODEL_PATH" | "SCORECARD_PATH">;

/**
 * Servers configured before the boosted trees existed pinned their scorecard with `SCORECARD_PATH` while
 * `SCORING_ENGINE=model` meant the scorecard. They keep scoring with that scorecard (a lender's model does not
 * change under it with an upgrade) and are told how to say so explicitly.
 */
export function pinnedScorecardWarning(config: ScoringConfig): string | null {
  if (config.SCORING_ENGINE !== "model" || !config.SCORECARD_PATH || config.MODEL_PATH) return null;
  return (
    "SCORECARD_PATH is set with SCORING_ENGINE=model, which now means the boosted trees: scoring with that " +
    "scorecard as before. Set SCORING_ENGINE=scorecard to keep it, or unset SCORECARD_PATH for the trees."
  );
}

async function loadArtifact<T>(variable: string, path: string, load: (path: string) => Promise<T | null>) {
  try {
    return await load(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `Invalid configuration:\n  ${variable}: ${reason}\n  (retrain with \`bun run model:train\`, point ${variable} at a valid artifact, or remove the file to score with the rules engine)`,
    );
  }
}

/**
 * Chooses the scoring engine from SCORING_ENGINE and loads its artifact, once, at start: `model` the boosted
 * trees at MODEL_PATH, `scorecard` the scorecard at SCORECARD_PATH (each the committed artifact by default),
 * `rules` nothing. A missing artifact falls back to the rules engine; one that exists but is invalid (or
 * breaks the monotone constraints or the Regulation B age rule) stops start-up with a ConfigError.
 */
export async function loadScoringModel(config: ScoringConfig): Promise<LoadedEngine> {
  if (config.SCORING_ENGINE === "rules") return { engine: "rules", reason: "SCORING_ENGINE=rules" };
  const pinned = pinnedScorecardWarning(config) !== null;
  if (config.SCORING_ENGINE === "scorecard" || pinned) {
    const path = config.SCORECARD_PATH ?? DEFAULT_SCORECARD_PATH;
    const scorecard = await loadArtifact("SCORECARD_PATH", path, loadScorecard);
    if (!scorecard) return { engine: "rules", reason: `no scorecard at ${path}; rules engine as fallback` };
    return {
      engine: "scorecard",
      scorecard,
      reason: pinned
        ? "SCORECARD_PATH set with SCORING_ENGINE=model (the setting before the boosted trees): scorecard loaded"
        : "SCORING_ENGINE=scorecard: scorecard loaded",
    };
  }
  const path = config.MODEL_PATH ?? DEFAULT_MODEL_PATH;
  const model = await loadArtifact("MODEL_PATH", path, loadModel);
  if (!model) return { engine: "rules", reason: `no model at ${path}; rules engine as fallback` };
  return { engine: "model", model, reason: "boosted trees loaded" };
}

/** The version of the scores this server calculates. */
export function engineVersion(scoring: LoadedEngine): string {
  switch (scoring.engine) {
    case "model":
      return scoring.model.version;
    case "scorecard":
      return scoring.scorecard.version;
    case "rules":
      return RULES_VERSION;
  }
}

/** The `model` check of /api/health: which engine scores; never an error, as the rules engine always can. */
export function checkModel(scoring: LoadedEngine): HealthCheck {
  const holdoutAuc =
    scoring.engine === "model"
      ? scoring.model.metrics.holdout.auc
      : scoring.engine === "scorecard"
        ? scoring.scorecard.metrics.holdout.auc
        : null;
  return {
    status: "ok",
    detail: scoring.reason,
    info: { engine: scoring.engine, version: engineVersion(scoring), holdoutAuc },
  };
}

const reasonCodes = (texts: { code: string; description: string }[]) => {
  const seen = new Map(texts.map((text) => [text.code, text.description]));
  return [...seen]
    .map(([code, description]) => ({ code, description }))
    .sort((a, b) => a.code.localeCompare(b.code));
};

const MODEL_REASON_CODES = reasonCodes(
  FEATURES.filter((spec) => !spec.protectedCharacteristic).flatMap((spec) => [
    spec.reason,
    spec.missingReason,
  ]),
);

const profileFields = (id: FeatureId) => [
  ...new Set(featureSpec(id).inputs.map((input) => PROFILE_FIELD_FOR_INPUT[input])),
];

function provenance(dataset: ModelArtifact["dataset"]): NonNullable<ModelCard["model"]>["provenance"] {
  return {
    name: dataset.name,
    publisher: dataset.publisher,
    year: dataset.year,
    url: dataset.url,
    terms: dataset.terms,
    sha256: dataset.sha256,
    rows: dataset.rows,
    trainRows: dataset.trainRows,
    holdoutRows: dataset.holdoutRows,
    quirks: dataset.quirks,
  };
}

function scaling(artifact: ModelArtifact | ScorecardArtifact) {
  const { pdo, baseScore, baseOdds, minScore, maxScore } = artifact.scaling;
  return { pdo, baseScore, baseOdds, minScore, maxScore };
}

function modelSection(model: ModelArtifact): NonNullable<ModelCard["model"]> {
  const { boosting } = model.method;
  return {
    version: model.version,
    description: model.description,
    features: model.features.map((feature) => ({
      id: feature.id,
      label: feature.label,
      inputs: feature.inputs,
      profileFields: profileFields(feature.id),
      direction: feature.direction,
      importance: feature.importance,
      bins: feature.bins.map(({ label, lower, upper, share, badRate, points }) => ({
        label,
        lower,
        upper,
        share,
        badRate,
        points,
      })),
      missing: {
        share: feature.missing.share,
        badRate: feature.missing.badRate,
        points: feature.missing.points,
      },
    })),
    trees: {
      count: model.trees.length,
      maxDepth: boosting.maxDepth,
      learningRate: boosting.learningRate,
      lambda: boosting.lambda,
      minChildRows: boosting.minChildRows,
      earlyStoppingRounds: boosting.earlyStoppingRounds,
      treesGrown: boosting.treesGrown,
      tuning: model.method.tuning,
    },
    scaling: scaling(model),
    referenceScore: Math.round(model.reference.score),
    metrics: {
      train: model.metrics.train,
      validation: model.metrics.validation,
      holdout: model.metrics.holdout,
    },
    calibration: {
      method: model.calibration.method,
      fittedOn: model.calibration.fittedOn,
      holdout: model.metrics.holdoutDetail.calibration,
    },
    roc: model.metrics.holdoutDetail.roc,
    scoreDistribution: model.scoreDistribution,
    provenance: provenance(model.dataset),
    fairLending: model.fairLending,
    reasonCodes: MODEL_REASON_CODES,
  };
}

function scorecardSection(scorecard: ScorecardArtifact): NonNullable<ModelCard["scorecard"]> {
  return {
    version: scorecard.version,
    description: scorecard.description,
    features: scorecard.features.map((feature) => ({
      id: feature.id,
      label: feature.label,
      inputs: feature.inputs,
      profileFields: profileFields(feature.id),
      informationValue: feature.informationValue,
      bins: feature.bins.map(({ label, lower, upper, points }) => ({ label, lower, upper, points })),
      missingPoints: feature.missing.points,
    })),
    excludedFeatures: scorecard.excludedFeatures,
    scaling: scaling(scorecard),
    metrics: { train: scorecard.metrics.train, holdout: scorecard.metrics.holdout },
    calibration:
      scorecard.calibration && scorecard.metrics.holdoutDetail
        ? {
            method: scorecard.calibration.method,
            fittedOn: scorecard.calibration.fittedOn,
            holdout: scorecard.metrics.holdoutDetail.calibration,
          }
        : null,
    provenance: provenance(scorecard.dataset),
    fairLending: scorecard.fairLending,
    reasonCodes: MODEL_REASON_CODES,
  };
}

/** The model card: what scores on this server and how; aggregates only, never a training row. */
export function modelCard(scoring: LoadedEngine): ModelCard {
  return {
    engine: scoring.engine,
    version: engineVersion(scoring),
    engineReason: scoring.reason,
    model: scoring.engine === "model" ? modelSection(scoring.model) : null,
    scorecard: scoring.engine === "scorecard" ? scorecardSection(scoring.scorecard) : null,
    rules: {
      version: RULES_VERSION,
      weights: { ...RULES_WEIGHTS },
      reasonCodes: reasonCodes(Object.values(RULES_REASONS)),
    },
  };
}

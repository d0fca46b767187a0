import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { computeScore, RULES_ENGINE } from "../../../server/credit/engine.ts";
import { modelArtifactSchema } from "../../../server/credit/gbdt/artifact.ts";
import { DEFAULT_MODEL_PATH } from "../../../server/credit/gbdt/load.ts";
import { requiredInputs, scoreInputsSchema } from "../../../server/credit/inputs.ts";
import { scorecardArtifactSchema } from "../../../server/credit/scorecard/artifact.ts";
import { DEFAULT_SCORECARD_PATH } from "../../../server/credit/scorecard/load.ts";
import { scoreBand } from "../../../server/score-bands";
import { CLEAN_PROFILE } from "./fixtures.ts";

describe("score inputs", () => {
  it("bands scores at 580, 670, 740 and 800", () => {
    expect([300, 579, 580, 669, 670, 739, 740, 799, 800, 850].map(scoreBand)).toEqual([
      "poor",
      "poor",
      "fair",
      "fair",
      "good",
      "good",
      "very_good",
      "very_good",
      "excellent",
      "excellent",
    ]);
  });

  it("requires the payment-history counters and utilisation, naming the missing ones", () => {
    expect(requiredInputs(CLEAN_PROFILE)).toEqual([]);
    const thin = {
      ...CLEAN_PROFILE,
      pastDue60to89: null,
      revolvingUtilization: null,
      age: null,
      monthlyIncome: null,
    };
    expect(requiredInputs(thin)).toEqual(["pastDue60to89", "revolvingUtilization"]);
  });

  it("rejects out-of-range inputs", () => {
    expect(scoreInputsSchema.safeParse(CLEAN_PROFILE).success).toBe(true);
    expect(scoreInputsSchema.safeParse({ ...CLEAN_PROFILE, age: 17 }).success).toBe(false);
    expect(scoreInputsSchema.safeParse({ ...CLEAN_PROFILE, revolvingUtilization: 101 }).success).toBe(false);
    expect(scoreInputsSchema.safeParse({ ...CLEAN_PROFILE, pastDue90Plus: 1.5 }).success).toBe(false);
  });
});

describe("engine choice", () => {
  const scorecard = scorecardArtifactSchema.parse(JSON.parse(readFileSync(DEFAULT_SCORECARD_PATH, "utf8")));
  const model = modelArtifactSchema.parse(JSON.parse(readFileSync(DEFAULT_MODEL_PATH, "utf8")));

  it("scores with the loaded engine, each naming itself and its version", () => {
    const reason = "test";
    expect(computeScore(CLEAN_PROFILE, { engine: "model", model, reason })).toMatchObject({
      engine: "model",
      modelVersion: model.version,
    });
    expect(computeScore(CLEAN_PROFILE, { engine: "scorecard", scorecard, reason })).toMatchObject({
      engine: "scorecard",
      modelVersion: scorecard.version,
    });
    expect(computeScore(CLEAN_PROFILE, RULES_ENGINE)).toMatchObject({
      engine: "rules",
      modelVersion: "rules-1",
    });
  });
});

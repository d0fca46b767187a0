import { describe, expect, it } from "bun:test";
import { loadModel } from "../../../server/credit/gbdt/load.ts";
import {
  populationStability,
  stabilityFlag,
  stabilityTally,
  worstFlag,
} from "../../../server/credit/monitoring/stability.ts";
import { CLEAN_PROFILE } from "./fixtures.ts";

const model = await loadModel();
if (!model) throw new Error("no model artifact");

describe("population stability index", () => {
  it("is zero when the observed mix is the expected one, whatever the count", () => {
    expect(populationStability([0.25, 0.25, 0.5], [10, 10, 20])).toBeCloseTo(0, 9);
    expect(populationStability([0.25, 0.25, 0.5], [1000, 1000, 2000])).toBeCloseTo(0, 9);
  });

  it("is Σ (actual − expected) · ln(actual / expected)", () => {
    const expected = 0.2 * Math.log(0.7 / 0.5) + -0.2 * Math.log(0.3 / 0.5);
    expect(populationStability([0.5, 0.5], [70, 30])).toBeCloseTo(expected, 6);
  });

  it("stays finite when a bin is empty, and is null without any observation", () => {
    const psi = populationStability([0.5, 0.5], [100, 0]);
    expect(psi).not.toBeNull();
    expect(Number.isFinite(psi)).toBe(true);
    expect(populationStability([0.5, 0.5], [0, 0])).toBeNull();
  });

  it("flags 0.1 and over as watch, 0.25 and over as act", () => {
    expect(stabilityFlag(0.0999)).toBe("stable");
    expect(stabilityFlag(0.1)).toBe("watch");
    expect(stabilityFlag(0.2499)).toBe("watch");
    expect(stabilityFlag(0.25)).toBe("act");
    expect(worstFlag([null, "stable", "watch"])).toBe("watch");
    expect(worstFlag(["act", "watch"])).toBe("act");
    expect(worstFlag([null])).toBeNull();
  });
});

describe("the artifact's training distribution", () => {
  it("keeps the score in buckets and each feature in bins, with shares that sum to one", () => {
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    expect(sum(model.scoreDistribution.shares)).toBeCloseTo(1, 4);
    for (const feature of model.features) {
      expect(sum([...feature.bins.map((bin) => bin.share), feature.missing.share])).toBeCloseTo(1, 4);
    }
  });

  it("puts a score on each bucket's bounds into the bucket that starts there, and missing values in their own bin", () => {
    const tally = stabilityTally(model);
    const bound = model.scoreDistribution.bounds[0] as number;
    tally.add(bound, { ...CLEAN_PROFILE, monthlyIncome: null });
    const result = tally.result();
    expect(result.score.buckets[1]?.count).toBe(1);
    const income = result.features.find((feature) => feature.id === "monthlyIncome");
    expect(income?.bins.at(-1)).toMatchObject({ label: "missing", count: 1, actualShare: 1 });
    const age = result.features.find((feature) => feature.id === "age");
    expect(age?.bins.filter((bin) => bin.count === 1)).toHaveLength(1);
  });
});

import { describe, expect, it } from "bun:test";
import {
  calibrationTable,
  fitPlatt,
  probabilityOfDefault,
  rocCurve,
} from "../../../server/credit/calibration.ts";
import { serializeModel } from "../../../server/credit/gbdt/artifact.ts";
import { boost } from "../../../server/credit/gbdt/boost.ts";
import { checkConstraints } from "../../../server/credit/gbdt/constraints.ts";
import { binMatrix, binOf, featureBins } from "../../../server/credit/gbdt/histogram.ts";
import { DEFAULT_MODEL_PATH } from "../../../server/credit/gbdt/load.ts";
import { apportion } from "../../../server/credit/gbdt/score.ts";
import { leafTable } from "../../../server/credit/gbdt/shap.ts";
import { prepareModelData, toTree, trainModel } from "../../../server/credit/gbdt/train.ts";
import { type BinnedData, round, TreeGrower } from "../../../server/credit/gbdt/tree.ts";
import { FEATURE_IDS } from "../../../server/credit/scorecard/features.ts";
import { mulberry32 } from "../../../server/credit/scorecard/split.ts";
import { HAS_DATA, realDataset, syntheticDataset } from "./fixtures.ts";

const quick = { maxTrees: 60, earlyStoppingRounds: 20 };
const trainingParams = {
  maxDepth: 4,
  learningRate: 0.1,
  lambda: 1,
  minChildRows: 20,
  minChildHessian: 0.5,
  minGain: 0,
  minMissingRows: 50,
  valueDecimals: 7,
};

describe("boosted trees training", () => {
  it.skipIf(!HAS_DATA)("reproduces the committed artifact byte for byte from the real file", async () => {
    const dataset = await realDataset();
    const committed = await Bun.file(DEFAULT_MODEL_PATH).text();
    expect(serializeModel(trainModel(dataset))).toBe(committed);
  });

  it("gives the same artifact for the same data and seed, and another for another seed", () => {
    const dataset = syntheticDataset(12_000, 21);
    const first = serializeModel(trainModel(dataset, { boosting: quick }));
    expect(serializeModel(trainModel(dataset, { boosting: quick }))).toBe(first);
    expect(serializeModel(trainModel(dataset, { boosting: quick, seed: 99 }))).not.toBe(first);
  });

  it("learns the synthetic risk drivers and reports each stage", () => {
    const lines: string[] = [];
    const artifact = trainModel(syntheticDataset(12_000, 22), {
      boosting: quick,
      onProgress: (line) => lines.push(line),
    });
    expect(artifact.metrics.holdout.auc).toBeGreaterThan(0.7);
    expect(artifact.metrics.train.rows).toBe(artifact.dataset.trainRows);
    expect(artifact.metrics.validation.rows).toBeCloseTo(artifact.dataset.trainRows * 0.2, -1);
    const importance = Object.fromEntries(artifact.features.map((f) => [f.id, f.importance]));
    expect(importance.pastDue30to59).toBeGreaterThan(importance.dependants as number);
    expect(lines.some((line) => line.startsWith("split:"))).toBe(true);
    expect(lines.some((line) => line.startsWith("boosting:"))).toBe(true);
    expect(lines.some((line) => line.startsWith("holdout (integer score): AUC"))).toBe(true);
  });

  it("stops early on the validation part, which never overlaps the holdout", () => {
    const dataset = syntheticDataset(12_000, 23);
    const { split, fit, validation, data } = prepareModelData(dataset);
    const train = new Set(split.train);
    expect(fit.length + validation.length).toBe(split.train.length);
    for (const row of [...fit, ...validation]) expect(train.has(row)).toBe(true);
    const result = boost(data, dataset.labels, fit, validation, {
      ...trainingParams,
      maxTrees: 400,
      earlyStoppingRounds: 15,
    });
    const losses = result.validationLoss;
    expect(result.trees).toHaveLength(result.bestIteration);
    expect(losses.length).toBeLessThan(400);
    expect(losses.length - result.bestIteration).toBe(15);
    expect(Math.min(...losses)).toBe(losses[result.bestIteration - 1] as number);
  });
});

/** One feature per column, everything else missing: the ten model features, in order. */
function binnedData(rows: number, columns: Float64Array[], monotone: number[]): BinnedData {
  const all = Uint32Array.from({ length: rows }, (_, i) => i);
  const bins = columns.map((values) => featureBins(values, all, 255));
  return {
    codes: binMatrix(columns, bins),
    rows,
    missingBin: Int32Array.from(bins, (b) => b.missingBin),
    monotone: Int8Array.from(monotone),
  };
}

describe("tree growing", () => {
  const all = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

  /** One tree on one feature (in the position of utilisation, so checkConstraints reads it as such). */
  function grow(values: Float64Array, labels: Uint8Array, monotone: number, params = trainingParams) {
    const n = values.length;
    const data = binnedData(n, [values], [monotone]);
    const gradient = Float64Array.from(labels, (label) => 0.1 - label);
    const hessian = new Float64Array(n).fill(0.09);
    const grown = new TreeGrower(data, params).grow(all(n), n, gradient, hessian);
    return { grown, data, tree: toTree(grown, [featureBins(values, all(n), 255)]) };
  }

  it("follows a constraint the data contradicts, and not without it", () => {
    expect(FEATURE_IDS[0]).toBe("revolvingUtilization");
    // Risk is U-shaped: high at both ends.
    const random = mulberry32(5);
    const u = Float64Array.from({ length: 20_000 }, () => random());
    const labels = Uint8Array.from(u, (value) => (random() < 0.05 + 0.6 * (value - 0.5) ** 2 ? 1 : 0));
    expect(checkConstraints([grow(u, labels, 0).tree]).length).toBeGreaterThan(0);
    const constrained = grow(u, labels, 1).tree;
    expect(checkConstraints([constrained])).toEqual([]);
    expect([...constrained.feature].filter((f) => f === 0).length).toBeGreaterThan(1);
  });

  it("learns where missing values go from enough of them, else sends them to the riskier side", () => {
    const r = mulberry32(9);
    const income = Float64Array.from({ length: 10_000 }, () => (r() < 0.3 ? Number.NaN : r()));
    // Missing incomes are the safest rows of all; among the rest risk falls with income.
    const y = Uint8Array.from(income, (v) => (r() < (Number.isNaN(v) ? 0.02 : 0.3 - 0.25 * v) ? 1 : 0));
    const depthOne = { ...trainingParams, maxDepth: 1 };
    const { grown: learnt } = grow(income, y, 0, depthOne);
    const [, left, right] = learnt.value as [number, number, number];
    expect(learnt.missingLeft[0]).toBe(left < right);

    // Too few to learn from: they follow the side riskier without them.
    const { grown: few, data } = grow(income, y, 0, { ...depthOne, minMissingRows: 10_000 });
    const rate = (goesLeft: boolean) => {
      let rows = 0;
      let bad = 0;
      income.forEach((value, i) => {
        if (Number.isNaN(value) || (data.codes[i] as number) < (few.bin[0] as number) !== goesLeft) return;
        rows++;
        bad += y[i] as number;
      });
      return bad / rows;
    };
    expect(few.missingLeft[0]).toBe(rate(true) > rate(false));
  });

  it("rounds leaf values so training and scoring add the same numbers", () => {
    expect(round(0.123456789, 7)).toBe(0.1234568);
  });
});

describe("histogram bins", () => {
  it("keeps one bin per distinct value when there are few, and rounded quantiles otherwise", () => {
    const counts = Float64Array.from([0, 0, 1, 2, 2, 3, Number.NaN]);
    const all = Uint32Array.from({ length: counts.length }, (_, i) => i);
    const small = featureBins(counts, all, 255);
    expect([...small.edges]).toEqual([1, 2, 3]);
    expect(small.missingBin).toBe(4);
    expect([0, 0.5, 1, 2.9, 3, 99, Number.NaN].map((v) => binOf(small, v))).toEqual([0, 0, 1, 2, 3, 3, 4]);
    const random = mulberry32(2);
    const wide = Float64Array.from({ length: 5000 }, () => random() * 1000);
    const bins = featureBins(
      wide,
      Uint32Array.from({ length: 5000 }, (_, i) => i),
      16,
    );
    expect(bins.edges.length).toBeLessThanOrEqual(15);
    for (const edge of bins.edges) expect(Number(edge.toPrecision(3))).toBe(edge);
  });
});

describe("explanation building blocks", () => {
  it("gives a one-feature leaf its whole deviation from the expectation", () => {
    // A leaf of value 2 reached by 25 % of the rows: E = 0.5; an instance in the leaf gets 1.5, one outside −0.5.
    const table = leafTable(2, [0.25]);
    expect([...table]).toEqual([-0.5, 1.5]);
  });

  it("apportions real points to integers that add up to the target", () => {
    const random = mulberry32(4);
    for (let trial = 0; trial < 500; trial++) {
      const values = Float64Array.from({ length: 10 }, () => (random() - 0.5) * 80);
      const sum = values.reduce((a, b) => a + b, 0);
      const target = Math.round(sum) + (trial % 3) - 1;
      const points = apportion(values, target);
      expect(points.reduce((a, b) => a + b, 0)).toBe(target);
      for (const [k, p] of points.entries()) expect(Math.abs(p - (values[k] as number))).toBeLessThan(2);
    }
  });
});

describe("calibration", () => {
  const random = mulberry32(6);
  const scores = Float64Array.from({ length: 20_000 }, () => 450 + Math.floor(random() * 350));
  // True model: logit P(bad) = −2.6 − 0.7 · (score − 700) / 45.
  const labels = Uint8Array.from(scores, (s) =>
    random() < 1 / (1 + Math.exp(2.6 + (0.7 * (s - 700)) / 45)) ? 1 : 0,
  );
  const platt = fitPlatt(scores, labels, 700, 45, "synthetic");

  it("fits Platt scaling that recovers a known relation", () => {
    expect(platt.intercept).toBeCloseTo(-2.6, 1);
    expect(platt.slope).toBeCloseTo(-0.7, 1);
    expect(probabilityOfDefault(platt, 700)).toBeCloseTo(1 / (1 + Math.exp(2.6)), 2);
  });

  it("tabulates ten buckets, riskiest first, that never split a score", () => {
    const table = calibrationTable(scores, labels, platt);
    expect(table).toHaveLength(10);
    expect(table.reduce((sum, bucket) => sum + bucket.rows, 0)).toBe(scores.length);
    for (let i = 1; i < table.length; i++) {
      expect((table[i] as (typeof table)[number]).scoreFrom).toBeGreaterThan(
        (table[i - 1] as (typeof table)[number]).scoreTo,
      );
      expect((table[i] as (typeof table)[number]).predicted).toBeLessThan(
        (table[i - 1] as (typeof table)[number]).predicted,
      );
    }
  });

  it("draws the ROC curve from (0, 0) to (1, 1), never going back", () => {
    const curve = rocCurve(scores, labels);
    expect(curve[0]).toEqual([0, 0]);
    expect(curve[curve.length - 1]).toEqual([1, 1]);
    for (let i = 1; i < curve.length; i++) {
      expect((curve[i] as [number, number])[0]).toBeGreaterThanOrEqual((curve[i - 1] as [number, number])[0]);
      expect((curve[i] as [number, number])[1]).toBeGreaterThanOrEqual((curve[i - 1] as [number, number])[1]);
    }
  });
});

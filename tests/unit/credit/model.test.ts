import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probabilityOfDefault } from "../../../server/credit/calibration.ts";
import { type ModelArtifact, modelArtifactSchema } from "../../../server/credit/gbdt/artifact.ts";
import { decodeTree } from "../../../server/credit/gbdt/decode.ts";
import { MODEL_FEATURES } from "../../../server/credit/gbdt/features.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../../../server/credit/gbdt/load.ts";
import {
  apportion,
  compileModel,
  explainWithModel,
  scoreWithModel,
} from "../../../server/credit/gbdt/score.ts";
import { accumulate } from "../../../server/credit/gbdt/shap.ts";
import { shapleyByEnumeration } from "../../../server/credit/gbdt/shap-reference.ts";
import { leavesUnder, type Tree } from "../../../server/credit/gbdt/trees.ts";
import { type ScoreInputs, scoreResultSchema } from "../../../server/credit/inputs.ts";
import { FEATURE_IDS } from "../../../server/credit/scorecard/features.ts";
import { stratifiedSplit } from "../../../server/credit/scorecard/split.ts";
import { CLEAN_PROFILE, HAS_DATA, randomProfiles, realDataset } from "./fixtures.ts";

const loaded = await loadModel();
if (!loaded) throw new Error(`no model at ${DEFAULT_MODEL_PATH}: run bun run model:train`);
const artifact: ModelArtifact = loaded;
const profiles = randomProfiles(3000);
const score = (inputs: ScoreInputs) => scoreWithModel(artifact, inputs).score;
const trees = artifact.trees.map((nodes) => decodeTree(nodes, artifact.method.boosting.maxDepth) as Tree);
const featureIndex = (id: (typeof FEATURE_IDS)[number]) => FEATURE_IDS.indexOf(id);

describe("model artifact", () => {
  it("validates, names its data and version, and keeps the scorecard's scaling", () => {
    expect(artifact.version).toMatch(/^gbdt-\d{4}\.\d{2}-\d+\.[0-9a-f]{8}$/);
    expect(artifact.dataset.sha256).toBe("1bd46da486a5708c58c7b01a034fae2a13b327f6f7b62ea7ba4fe3b5824b24ac");
    expect(artifact.dataset).toMatchObject({ rows: 150_000, trainRows: 105_000, holdoutRows: 45_000 });
    expect(artifact.method.split).toEqual({ seed: 20_110_919, trainShare: 0.7, stratified: true });
    expect(artifact.scaling).toMatchObject({
      pdo: 45,
      baseScore: 700,
      baseOdds: 15,
      minScore: 300,
      maxScore: 850,
    });
    expect(artifact.method.boosting.maxDepth).toBeLessThanOrEqual(5);
    expect(artifact.metrics.holdout.auc).toBeGreaterThanOrEqual(0.862);
  });

  it("keeps what monitoring needs: the training score distribution and each feature's bins", () => {
    const { scoreDistribution } = artifact;
    expect(scoreDistribution.counts.reduce((a, b) => a + b, 0)).toBe(105_000);
    expect(scoreDistribution.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    for (const feature of artifact.features) {
      const total = feature.bins.reduce((sum, bin) => sum + bin.count, feature.missing.count);
      expect(total).toBe(105_000);
      expect(feature.bins[0]?.lower).toBeNull();
      expect(feature.bins[feature.bins.length - 1]?.upper).toBeNull();
    }
    const income = artifact.features.find((f) => f.id === "monthlyIncome");
    expect(income?.missing.count).toBeGreaterThan(20_000);
  });

  it.skipIf(!HAS_DATA)(
    "reaches holdout AUC ≥ 0.862, recomputed from the committed artifact on the seeded holdout",
    async () => {
      const dataset = await realDataset();
      expect(dataset.sha256).toBe(artifact.dataset.sha256);
      const { holdout } = stratifiedSplit(dataset.labels, 0.7, artifact.method.split.seed);
      const scores = Float64Array.from(holdout, (row) => score(dataset.inputs[row] as ScoreInputs));
      const labels = Uint8Array.from(holdout, (row) => dataset.labels[row] as number);
      const { evaluateScores } = await import("../../../server/credit/calibration.ts");
      const metrics = evaluateScores(scores, labels, artifact.calibration);
      expect(metrics).toEqual(artifact.metrics.holdout);
      expect(metrics.auc).toBeGreaterThanOrEqual(0.862);
    },
  );
});

describe("explanations", () => {
  it("are the exact Shapley values of the path-dependent expectation (checked by enumeration)", () => {
    for (const profile of profiles.slice(0, 12)) {
      const x = Float64Array.from(MODEL_FEATURES, (spec) => spec.value(profile));
      const phi = shapleyByEnumeration(trees, x, FEATURE_IDS.length);
      const compiled = compileModel(artifact);
      const fast = new Float64Array(FEATURE_IDS.length);
      accumulate(compiled.ensemble, x, fast, compiled.goes);
      for (let k = 0; k < phi.length; k++)
        expect(Math.abs((fast[k] as number) - (phi[k] as number))).toBeLessThan(1e-9);
      const explanation = explainWithModel(artifact, profile);
      const factor = artifact.scaling.factor;
      const exact = Float64Array.from(phi, (value) => -factor * value);
      const unclamped = explanation.referenceScore + exact.reduce((a, b) => a + b, 0);
      // The integer points are the exact ones apportioned to the integer score.
      expect(explanation.contributions.map((c) => c.points)).toEqual([
        ...apportion(exact, explanation.unclampedScore - explanation.referenceScore),
      ]);
      expect(Math.abs(unclamped - explanation.unclampedScore)).toBeLessThanOrEqual(1);
    }
  });

  it("add up to the score against the reference applicant, within a point of each exact share", () => {
    for (const profile of profiles) {
      const {
        score: served,
        unclampedScore,
        referenceScore,
        contributions,
      } = explainWithModel(artifact, profile);
      expect(referenceScore + contributions.reduce((sum, c) => sum + c.points, 0)).toBe(unclampedScore);
      expect(served).toBe(Math.min(850, Math.max(300, unclampedScore)));
      for (const c of contributions) expect(Number.isInteger(c.points)).toBe(true);
    }
    expect(explainWithModel(artifact, CLEAN_PROFILE).referenceScore).toBe(
      Math.round(artifact.reference.score),
    );
  });

  it("gives at most four reasons, the costliest first, from the features that cost points, never age", () => {
    let sawFour = false;
    for (const profile of profiles) {
      const result = scoreWithModel(artifact, profile);
      const { contributions } = explainWithModel(artifact, profile);
      expect(result.reasons.length).toBeLessThanOrEqual(4);
      sawFour ||= result.reasons.length === 4;
      // What each reason code's features cost, age never among them.
      const costs = new Map<string, number>();
      for (const c of contributions) {
        const spec = MODEL_FEATURES.find((s) => s.id === c.feature);
        if (!spec || c.points >= 0 || spec.protectedCharacteristic) continue;
        const code = c.missing ? spec.missingReason.code : spec.reason.code;
        costs.set(code, (costs.get(code) ?? 0) - c.points);
      }
      result.reasons.forEach((reason, i) => {
        expect(reason.impact).toBe(costs.get(reason.code) as number);
        if (i > 0) expect(reason.impact).toBeLessThanOrEqual((result.reasons[i - 1] as typeof reason).impact);
        expect(reason.code).not.toBe("M00");
        expect(reason.description).not.toMatch(/\bage\b/i);
      });
      const smallest = result.reasons[result.reasons.length - 1]?.impact ?? 0;
      for (const [code, cost] of costs) {
        if (result.reasons.some((reason) => reason.code === code)) continue;
        expect(result.reasons).toHaveLength(4);
        expect(cost).toBeLessThanOrEqual(smallest);
      }
    }
    expect(sawFour).toBe(true);
  });

  it("returns results the API schema accepts, with a probability of default", () => {
    for (const profile of profiles.slice(0, 500)) {
      const result = scoreWithModel(artifact, profile);
      expect(scoreResultSchema.parse(result)).toEqual(result);
      expect(result).toMatchObject({ engine: "model", modelVersion: artifact.version });
      expect(result.probabilityOfDefault).toBe(probabilityOfDefault(artifact.calibration, result.score));
    }
    expect(scoreWithModel(artifact, CLEAN_PROFILE).missingInputs).toEqual([]);
    const thin = { ...CLEAN_PROFILE, monthlyIncome: null, dependants: null };
    expect(scoreWithModel(artifact, thin).missingInputs).toEqual(["monthlyIncome", "dependants"]);
  });
});

describe("monotone constraints over a grid of synthetic applicants", () => {
  for (const counter of ["pastDue90Plus", "pastDue60to89", "pastDue30to59"] as const) {
    it(`never raises the score for more ${counter} events`, () => {
      for (const profile of profiles) {
        let previous = Number.POSITIVE_INFINITY;
        for (const count of [0, 1, 2, 3, 5, 8, 13, 20, 40]) {
          const next = score({ ...profile, [counter]: count });
          expect(next).toBeLessThanOrEqual(previous);
          previous = next;
        }
      }
    });
  }

  it("never raises the score for higher utilisation", () => {
    const levels = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.99, 1, 1.5, 5, 100];
    for (const profile of profiles) {
      let previous = Number.POSITIVE_INFINITY;
      for (const utilization of levels) {
        const next = score({ ...profile, revolvingUtilization: utilization });
        expect(next).toBeLessThanOrEqual(previous);
        previous = next;
      }
    }
  });

  it("never lowers the score for an older applicant, and scores a missing age as the youngest", () => {
    for (const profile of profiles.slice(0, 400)) {
      const unknown = score({ ...profile, age: null });
      let previous = unknown;
      for (let age = 18; age <= 101; age++) {
        const next = score({ ...profile, age });
        expect(next).toBeGreaterThanOrEqual(previous);
        previous = next;
      }
    }
  });

  it("gives applicants aged 62 and over at least the score of any younger age (Regulation B)", () => {
    for (const profile of profiles) {
      const elderly = Math.min(...[62, 63, 70, 85, 100, 120].map((age) => score({ ...profile, age })));
      const younger = [18, 25, 30, 40, 50, 55, 60, 61, null].map((age) => score({ ...profile, age }));
      expect(elderly).toBeGreaterThanOrEqual(Math.max(...younger));
    }
  });
});

describe("probability of default", () => {
  it("falls as the score rises and stays a probability", () => {
    let previous = 1;
    for (let s = 300; s <= 850; s++) {
      const p = probabilityOfDefault(artifact.calibration, s);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(previous);
      previous = p;
    }
    expect(probabilityOfDefault(artifact.calibration, 300)).toBeGreaterThan(
      probabilityOfDefault(artifact.calibration, 850),
    );
  });

  it("is calibrated on the holdout: ten buckets whose predicted and observed rates agree", () => {
    const table = artifact.metrics.holdoutDetail.calibration;
    expect(table).toHaveLength(10);
    expect(table.reduce((sum, bucket) => sum + bucket.rows, 0)).toBe(45_000);
    for (const bucket of table) {
      // Within five percentage points, or 30 % of the rate, whichever is looser.
      expect(Math.abs(bucket.predicted - bucket.observed)).toBeLessThanOrEqual(
        Math.max(0.05, 0.3 * bucket.observed),
      );
    }
    expect(artifact.calibration.fittedOn).toContain("validation");
  });
});

describe("checks at load", () => {
  const dir = mkdtempSync(join(tmpdir(), "gbdt-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The artifact with one tree changed: the first split on `feature` in any tree, handed to `change`. */
  function doctored(
    feature: (typeof FEATURE_IDS)[number],
    change: (nodes: ModelArtifact["trees"][number], tree: Tree, node: number) => void,
  ): ModelArtifact {
    const copy = structuredClone(artifact);
    for (let t = 0; t < copy.trees.length; t++) {
      const tree = trees[t] as Tree;
      const node = [...tree.feature].indexOf(featureIndex(feature));
      if (node >= 0) {
        change(copy.trees[t] as ModelArtifact["trees"][number], tree, node);
        return copy;
      }
    }
    throw new Error(`no split on ${feature}`);
  }

  const setLeaf = (nodes: ModelArtifact["trees"][number], leaf: number, value: number) => {
    const cover = (nodes[leaf] as [number, number])[1];
    nodes[leaf] = [value, cover];
  };

  it("accepts the committed artifact", () => {
    expect(modelArtifactSchema.safeParse(artifact).success).toBe(true);
  });

  it("refuses a model whose score would rise with utilisation", () => {
    const broken = doctored("revolvingUtilization", (nodes, tree, node) => {
      // A lower utilisation made riskier than every higher one.
      setLeaf(nodes, leavesUnder(tree, tree.left[node] as number)[0] as number, 5);
    });
    const parsed = modelArtifactSchema.safeParse(broken);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message).join()).toContain(
      "the score rises with revolvingUtilization",
    );
  });

  it("refuses a model whose score would fall with age (Regulation B)", () => {
    const broken = doctored("age", (nodes, tree, node) => {
      setLeaf(nodes, leavesUnder(tree, tree.right[node] as number)[0] as number, 5);
    });
    expect(JSON.stringify(modelArtifactSchema.safeParse(broken).error?.issues)).toContain(
      "the score falls with age",
    );
  });

  it("refuses a model that scores a missing age better than the youngest", () => {
    const broken = doctored("age", (nodes, _tree, node) => {
      const split = nodes[node] as [number, number, 0 | 1];
      nodes[node] = [split[0], split[1], 0];
    });
    expect(JSON.stringify(modelArtifactSchema.safeParse(broken).error?.issues)).toContain(
      "a missing age goes to the safer side",
    );
  });

  it("refuses trees that do not form a tree", () => {
    const broken = structuredClone(artifact);
    (broken.trees[0] as unknown[]).pop();
    expect(JSON.stringify(modelArtifactSchema.safeParse(broken).error?.issues)).toContain(
      "ends inside the tree",
    );
  });

  it("returns null for an absent file and throws, naming the problem, for a doctored one", async () => {
    expect(await loadModel(join(dir, "absent.json"))).toBeNull();
    const path = join(dir, "doctored.json");
    const broken = doctored("pastDue90Plus", (nodes, tree, node) => {
      setLeaf(nodes, leavesUnder(tree, tree.left[node] as number)[0] as number, 5);
    });
    writeFileSync(path, JSON.stringify(broken));
    await expect(loadModel(path)).rejects.toThrow(
      /invalid model artifact .*the score rises with pastDue90Plus/,
    );
  });
});

import { describe, expect, it } from "bun:test";
import { serializeScorecard } from "../../../server/credit/scorecard/artifact.ts";
import {
  binFeature,
  binIndex,
  poolAdjacentViolators,
  roundCut,
} from "../../../server/credit/scorecard/binning.ts";
import { DatasetError, parseCreditCsv } from "../../../server/credit/scorecard/csv.ts";
import { checkAgeRule } from "../../../server/credit/scorecard/fair-lending.ts";
import { DEFAULT_SCORECARD_PATH } from "../../../server/credit/scorecard/load.ts";
import { fitLogistic } from "../../../server/credit/scorecard/logistic.ts";
import { discrimination } from "../../../server/credit/scorecard/metrics.ts";
import { binPoints, scaling } from "../../../server/credit/scorecard/scaling.ts";
import { mulberry32, stratifiedSplit } from "../../../server/credit/scorecard/split.ts";
import { trainScorecard } from "../../../server/credit/scorecard/train.ts";
import { HAS_DATA, realDataset, syntheticDataset } from "./fixtures.ts";

describe("scorecard training", () => {
  it.skipIf(!HAS_DATA)(
    "reproduces the committed artifact byte for byte from the real file, twice",
    async () => {
      const dataset = await realDataset();
      const committed = await Bun.file(DEFAULT_SCORECARD_PATH).text();
      const first = serializeScorecard(trainScorecard(dataset));
      expect(first).toBe(committed);
      expect(serializeScorecard(trainScorecard(dataset))).toBe(first);
    },
  );

  it("gives the same artifact for the same data and seed, and another for another seed", () => {
    const dataset = syntheticDataset(20_000, 11);
    const first = serializeScorecard(trainScorecard(dataset));
    expect(serializeScorecard(trainScorecard(dataset))).toBe(first);
    expect(serializeScorecard(trainScorecard(dataset, { seed: 99 }))).not.toBe(first);
  });

  it("learns the synthetic risk drivers, monotone and within the Regulation B age rule", () => {
    const artifact = trainScorecard(syntheticDataset(20_000, 12));
    expect(artifact.metrics.holdout.auc).toBeGreaterThan(0.7);
    const utilization = artifact.features.find((f) => f.id === "revolvingUtilization");
    expect(utilization?.riskDirection).toBe("increasing");
    const age = artifact.features.find((f) => f.id === "age");
    if (age) expect(checkAgeRule(age.bins, age.missing.points).satisfied).toBe(true);
    for (const f of artifact.features) expect(f.coefficient).toBeLessThan(0);
  });

  it("reports each stage while it trains", () => {
    const lines: string[] = [];
    trainScorecard(syntheticDataset(5_000, 13), { onProgress: (line) => lines.push(line) });
    expect(lines.some((line) => line.startsWith("split:"))).toBe(true);
    expect(lines.some((line) => line.startsWith("holdout (integer score): AUC"))).toBe(true);
  });
});

describe("csv reading", () => {
  const header =
    ",SeriousDlqin2yrs,RevolvingUtilizationOfUnsecuredLines,age,NumberOfTime30-59DaysPastDueNotWorse,DebtRatio," +
    "MonthlyIncome,NumberOfOpenCreditLinesAndLoans,NumberOfTimes90DaysLate,NumberRealEstateLoansOrLines," +
    "NumberOfTime60-89DaysPastDueNotWorse,NumberOfDependents";

  it("turns the data's quirks into missing values instead of numbers", () => {
    const text = [
      header,
      "1,1,0.766126609,45,2,0.8,9120,13,0,6,0,2",
      "2,1,0.9999999,0,98,5710,NA,0,98,0,98,NA",
      "3,0,50708,30,0,1.5,0,4,0,0,0,0",
      "4,0,50708,30,0,1.5,0,4,0,0,0,0",
      "",
    ].join("\r\n");
    const { inputs, labels, quirks } = parseCreditCsv(text);
    expect([...labels]).toEqual([1, 1, 0, 0]);
    expect(inputs[0]).toMatchObject({ age: 45, monthlyIncome: 9120, pastDue30to59: 2, realEstateLoans: 6 });
    expect(inputs[0]?.monthlyDebtPayments).toBeCloseTo(0.8 * 9120, 6);
    expect(inputs[1]).toMatchObject({
      age: null,
      monthlyIncome: null,
      monthlyDebtPayments: null,
      dependants: null,
      pastDue30to59: null,
      pastDue60to89: null,
      pastDue90Plus: null,
    });
    expect(inputs[2]).toMatchObject({
      revolvingUtilization: 100,
      monthlyIncome: 0,
      monthlyDebtPayments: null,
    });
    expect(quirks).toEqual({
      pastDueSentinelRows: 1,
      ageZeroRows: 1,
      incomeMissingRows: 1,
      incomeZeroRows: 2,
      dependantsMissingRows: 1,
      utilizationCappedRows: 2,
      duplicateRows: 1,
    });
  });

  it("refuses a file that is not the Give Me Some Credit training file", () => {
    expect(() => parseCreditCsv("id,label\n1,0\n")).toThrow(DatasetError);
    expect(() => parseCreditCsv(`${header}\n1,0,0.5,40,0,0.3,NA,5,0,1,0\n`)).toThrow(/12 fields/);
  });
});

describe("scorecard building blocks", () => {
  it("splits each class 70/30 with the seed, deterministically", () => {
    const labels = Uint8Array.from({ length: 10_000 }, (_, i) => (i % 15 === 0 ? 1 : 0));
    const a = stratifiedSplit(labels, 0.7, 5);
    const b = stratifiedSplit(labels, 0.7, 5);
    expect([...a.train]).toEqual([...b.train]);
    expect(a.train.length + a.holdout.length).toBe(10_000);
    const bad = (rows: Uint32Array) => [...rows].filter((row) => labels[row] === 1).length;
    expect(bad(a.train)).toBe(Math.round(667 * 0.7));
    expect([...stratifiedSplit(labels, 0.7, 6).train]).not.toEqual([...a.train]);
  });

  it("computes AUC, Gini and KS, with ties counting one half", () => {
    // Higher score = safer. Goods at 3, 4; bads at 1, 3.
    const result = discrimination([3, 4, 1, 3], [0, 0, 1, 1]);
    expect(result.auc).toBeCloseTo((1 + 1 + 1 + 0.5) / 4, 12);
    expect(result.gini).toBeCloseTo(2 * result.auc - 1, 12);
    expect(result.ks).toBeCloseTo(0.5, 12);
    expect(discrimination([1, 2, 3, 4], [1, 1, 0, 0])).toEqual({ auc: 1, gini: 1, ks: 1 });
  });

  it("recovers the coefficients of a known logistic model", () => {
    const random = mulberry32(3);
    const rows = 50_000;
    const x = new Float64Array(rows * 2);
    const y = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      const a = random() * 4 - 2;
      const b = random() * 4 - 2;
      x[i * 2] = a;
      x[i * 2 + 1] = b;
      y[i] = random() < 1 / (1 + Math.exp(-(-1 + 1.5 * a - 0.7 * b))) ? 1 : 0;
    }
    const fit = fitLogistic(x, y, rows, 2);
    expect(fit.intercept).toBeCloseTo(-1, 1);
    expect(fit.coefficients[0]).toBeCloseTo(1.5, 1);
    expect(fit.coefficients[1]).toBeCloseTo(-0.7, 1);
  });

  it("pools adjacent violators into a strictly monotone bad rate", () => {
    const groups = [
      { lower: 0, min: 0, max: 0, count: 100, bad: 5 },
      { lower: 1, min: 1, max: 1, count: 100, bad: 3 },
      { lower: 2, min: 2, max: 2, count: 100, bad: 10 },
      { lower: 3, min: 3, max: 3, count: 100, bad: 10 },
    ];
    const pooled = poolAdjacentViolators(groups, "increasing");
    expect(pooled.map((g) => [g.lower, g.count, g.bad])).toEqual([
      [0, 200, 8],
      [2, 200, 20],
    ]);
  });

  it("bins a feature monotonically, with round cut points and a pooled top", () => {
    const random = mulberry32(8);
    const rows = 20_000;
    const values = new Float64Array(rows);
    const labels = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      values[i] = i % 50 === 0 ? Number.NaN : 20 + Math.floor(random() * 70);
      labels[i] =
        random() < 0.2 - (Number.isNaN(values[i] as number) ? 0 : (values[i] as number) / 600) ? 1 : 0;
    }
    const all = Uint32Array.from({ length: rows }, (_, i) => i);
    const options = { fineShare: 0.02, minShare: 0.01, minBad: 20, minGood: 20, maxBins: 8 };
    const binning = binFeature(values, labels, all, {
      ...options,
      riskDirection: "decreasing",
      pooledFrom: 62,
    });
    expect(binning.missing.count).toBe(rows / 50);
    expect(binning.cuts.every((cut) => cut <= 62)).toBe(true);
    const rates = binning.groups.map((g) => g.bad / g.count);
    for (let i = 1; i < rates.length; i++) expect(rates[i] as number).toBeLessThan(rates[i - 1] as number);
    expect(binIndex(binning.cuts, 1000)).toBe(binning.cuts.length);
    expect(binIndex(binning.cuts, 0)).toBe(0);
    expect([roundCut(0.3481), roundCut(3314), roundCut(62), roundCut(0)]).toEqual([0.35, 3300, 62, 0]);
  });

  it("scales points to double the odds every PDO points", () => {
    const scale = scaling(45, 700, 15);
    expect(scale.offset + scale.factor * Math.log(15)).toBeCloseTo(700, 9);
    expect(scale.offset + scale.factor * Math.log(30)).toBeCloseTo(745, 9);
    // One feature, WoE 0, intercept −ln 15 (odds 15:1): the whole base score.
    expect(binPoints(0, -1, -Math.log(15), 1, scale)).toBe(700);
    expect(binPoints(Math.LN2, -1, -Math.log(15), 1, scale)).toBe(745);
  });
});

/**
 * Finding 5, for every engine on this branch and every input a borrower declares: leaving an input out never
 * scores better than the worst value they could have declared for it, debt-to-income included.
 */
import { describe, expect, it } from "bun:test";
import { scoringEngine } from "../../../server/credit/engine.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../../../server/credit/gbdt/load.ts";
import { modelProbes } from "../../../server/credit/gbdt/probes.ts";
import { predictWithModel } from "../../../server/credit/gbdt/score.ts";
import { scoreMissingAsWorst } from "../../../server/credit/missing-inputs.ts";
import type { PaymentRecord } from "../../../server/credit/payment-record.ts";
import {
  profileToInputs,
  type ScoringProfile,
  type WalletActivityInputs,
} from "../../../server/credit/profile-inputs.ts";
import { DEFAULT_SCORECARD_PATH, loadScorecard } from "../../../server/credit/scorecard/load.ts";
import { mulberry32 } from "../../../server/credit/scorecard/split.ts";
import type { ScoringDeps } from "../../../server/credit/scoring.ts";
import { scoreDeclared } from "../../../server/credit/scoring.ts";

const scorecard = await loadScorecard();
if (!scorecard) throw new Error(`no scorecard at ${DEFAULT_SCORECARD_PATH}`);
const model = await loadModel();
if (!model) throw new Error(`no model at ${DEFAULT_MODEL_PATH}`);
const MAX_INCOME = 1_000_000_000; // PROFILE_MAX_ANNUAL_INCOME's default, 10,000,000.00
const limits = { maxAnnualIncomeCents: MAX_INCOME };
/** Every engine on this branch: the boosted trees (the default), the scorecard and the rules. */
const engines: [string, ScoringDeps][] = [
  ["boosted trees", { scoring: { engine: "model", model, reason: "test" }, limits }],
  ["scorecard", { scoring: { engine: "scorecard", scorecard, reason: "test" }, limits }],
  ["rules", { scoring: { engine: "rules", reason: "test" }, limits }],
];
const at = new Date("2025-06-15T12:00:00Z");
const record: PaymentRecord = { onTimeInstalments: 3, lateInstalments: 1, defaultedLoans: 0, openLoans: 1 };

type Declared = { profile: ScoringProfile; wallet: WalletActivityInputs | null };
type Field = keyof Omit<
  ScoringProfile,
  "pastDue30to59" | "pastDue60to89" | "pastDue90Plus" | "revolvingUtilizationPercent"
>;

const random = mulberry32(20250615);
const int = (max: number) => Math.floor(random() * (max + 1));
const pick = <T>(values: readonly T[]): T => values[int(values.length - 1)] as T;

/** Every declarable value of a field a test tries: the bounds, and random ones across the range. */
const declarable: Record<Field | "wallet", () => unknown[]> = {
  dateOfBirth: () => [18, 25, 61, 62, 120, 18 + int(100), 18 + int(100)].map((age) => `${2025 - age}-01-01`),
  annualIncomeCents: () => [0, 12, 100, MAX_INCOME, int(20_000_000), int(500_000), int(MAX_INCOME)],
  monthlyDebtPaymentsCents: () => [
    0,
    1,
    Math.floor(MAX_INCOME / 12),
    int(600_000),
    int(50_000),
    int(5_000_000),
  ],
  openCreditLines: () => [0, 1, 1000, int(30), int(30), int(200)],
  realEstateLoans: () => [0, 1, 1000, int(6), int(40)],
  dependants: () => [0, 1, 1000, int(8), int(40)],
  creditHistoryYears: () => [0, 100, random() * 40, int(60)],
  recentInquiries: () => [0, 1000, int(12), int(50)],
  wallet: () => [
    { walletAgeDays: 0, walletTxCount: 0 },
    { walletAgeDays: int(3000), walletTxCount: int(10_000) },
  ],
};

/** A random profile with the essentials, some of its other fields left out. */
function randomDeclared(leaveOut: number): Declared {
  const maybe = <T>(value: T): T | null => (random() < leaveOut ? null : value);
  return {
    profile: {
      dateOfBirth: maybe(`${1930 + int(75)}-0${1 + int(8)}-1${int(8)}`),
      annualIncomeCents: maybe(pick([0, int(3_000_000), int(15_000_000), int(MAX_INCOME)])),
      monthlyDebtPaymentsCents: maybe(pick([0, int(200_000), int(1_000_000)])),
      revolvingUtilizationPercent: pick([0, int(100), int(300)]),
      openCreditLines: maybe(int(30)),
      realEstateLoans: maybe(int(5)),
      dependants: maybe(int(6)),
      pastDue30to59: pick([0, 0, int(5)]),
      pastDue60to89: pick([0, 0, int(3)]),
      pastDue90Plus: pick([0, 0, int(3)]),
      creditHistoryYears: maybe(random() * 30),
      recentInquiries: maybe(int(10)),
    },
    wallet: random() < leaveOut ? null : { walletAgeDays: int(2000), walletTxCount: int(5000) },
  };
}

function withField(declared: Declared, field: Field | "wallet", value: unknown): Declared {
  if (field === "wallet") return { ...declared, wallet: value as WalletActivityInputs | null };
  return { ...declared, profile: { ...declared.profile, [field]: value } };
}

const fields = Object.keys(declarable) as (Field | "wallet")[];

for (const [name, deps] of engines) {
  const score = (declared: Declared) => scoreDeclared(declared, record, at, deps).score;
  const additive = deps.scoring.engine !== "model";

  describe(`${name}: a missing input scores no better than any value the borrower could have declared`, () => {
    for (const field of fields) {
      it(field, () => {
        let compared = 0;
        for (let i = 0; i < 40; i++) {
          // Mostly complete profiles. For the additive engines also profiles with other inputs missing as well:
          // the search is exact for them. The trees' features interact: several inputs missing at once are
          // checked jointly below.
          const base = randomDeclared(i % 3 === 0 && additive ? 0.3 : 0);
          const omitted = score(withField(base, field, null));
          for (const value of declarable[field]()) {
            const declaredScore = score(withField(base, field, value));
            if (omitted > declaredScore) {
              throw new Error(
                `${name}: leaving ${field} out scored ${omitted}, declaring ${JSON.stringify(value)} scored ${declaredScore} (profile ${JSON.stringify(base)})`,
              );
            }
            compared++;
          }
        }
        expect(compared).toBeGreaterThanOrEqual(24 * 2);
      });
    }

    it("income and debt left out together score no better than any pair declared", () => {
      for (let i = 0; i < 12; i++) {
        const base = randomDeclared(0);
        const omitted = score(
          withField(withField(base, "annualIncomeCents", null), "monthlyDebtPaymentsCents", null),
        );
        for (let j = 0; j < 6; j++) {
          const pair = withField(
            withField(base, "annualIncomeCents", pick(declarable.annualIncomeCents())),
            "monthlyDebtPaymentsCents",
            pick(declarable.monthlyDebtPaymentsCents()),
          );
          expect(omitted).toBeLessThanOrEqual(score(pair));
        }
      }
    });
  });
}

describe("the rule's answer", () => {
  const [, trees] = engines[0] as [string, ScoringDeps];
  // Income 30,000.00 a year against 2,000.00 of monthly debts: a debt-to-income far worse than average.
  const poorRatio: Declared = {
    profile: {
      dateOfBirth: "1980-03-15",
      annualIncomeCents: 3_000_000,
      monthlyDebtPaymentsCents: 200_000,
      revolvingUtilizationPercent: 30,
      openCreditLines: 6,
      realEstateLoans: 1,
      dependants: 1,
      pastDue30to59: 0,
      pastDue60to89: 0,
      pastDue90Plus: 0,
      creditHistoryYears: 10,
      recentInquiries: 1,
    },
    wallet: null,
  };

  it("leaving income out of a poor debt-to-income profile no longer raises the score", () => {
    for (const [, deps] of engines) {
      const declared = scoreDeclared(poorRatio, record, at, deps);
      const omitted = scoreDeclared(withField(poorRatio, "annualIncomeCents", null), record, at, deps);
      expect(omitted.score).toBeLessThanOrEqual(declared.score);
    }
    const declared = scoreDeclared(poorRatio, record, at, trees);
    const omitted = scoreDeclared(withField(poorRatio, "annualIncomeCents", null), record, at, trees);
    expect(omitted.score).toBeLessThanOrEqual(declared.score);
    expect(omitted.missingInputs).toContain("monthlyIncome");
    expect(omitted.reasons.map((reason) => reason.code)).toContain("P01");
    expect(omitted.reasons.find((reason) => reason.code === "P01")?.description).toBe("Income not provided");
  });

  it("never names age or the date of birth as a reason, and gives at most four", () => {
    const sparse = withField(withField(poorRatio, "dateOfBirth", null), "dependants", null);
    for (const [, deps] of engines) {
      const result = scoreDeclared(sparse, record, at, deps);
      expect(result.missingInputs).toContain(deps.scoring.engine === "rules" ? "walletAgeDays" : "age");
      for (const reason of result.reasons) expect(reason.description).not.toMatch(/\bage\b|birth/i);
      expect(result.reasons.length).toBeLessThanOrEqual(4);
    }
  });
});

describe("boosted trees: several inputs missing at once", () => {
  const [, trees] = engines[0] as [string, ScoringDeps];
  if (trees.scoring.engine !== "model") throw new Error("the first engine is the trees");
  const model = trees.scoring.model;
  const probes = modelProbes(model);
  // One value at each end of every interval the trees' thresholds make: every leaf combination the inputs reach.
  const cells = (points: readonly number[] = [], min: number, max: number) =>
    [...new Set([min, max, ...points.flatMap((p) => [Math.ceil(p) - 1, Math.ceil(p)])])].filter(
      (n) => n >= min && n <= max,
    );
  const values: Record<string, unknown[]> = {
    dateOfBirth: cells(probes.age, 18, 120).map((age) => `${2025 - age}-01-01`),
    openCreditLines: cells(probes.openCreditLines, 0, 1000),
    realEstateLoans: cells(probes.realEstateLoans, 0, 1000),
    dependants: cells(probes.dependants, 0, 1000),
  };
  const jointRandom = mulberry32(1);
  const draw = (max: number) => Math.floor(jointRandom() * (max + 1));

  it("score no better than every combination of values the borrower could have declared for them", () => {
    let profiles = 0;
    let combinations = 0;
    while (profiles < 60) {
      const base = randomDeclared(0);
      base.profile.dateOfBirth = `${1940 + draw(60)}-06-15`;
      const missing = Object.keys(values).filter(() => jointRandom() < 0.6);
      if (missing.length < 2 || (missing.length > 2 && missing.includes("dateOfBirth"))) continue;
      profiles++;
      const omitted = { ...base, profile: { ...base.profile } };
      for (const field of missing) Object.assign(omitted.profile, { [field]: null });
      const served = scoreDeclared(omitted, record, at, trees).score;
      const visit = (index: number, declared: Declared) => {
        if (index === missing.length) {
          combinations++;
          const inputs = profileToInputs(declared.profile, record, declared.wallet, at);
          const score = predictWithModel(model, inputs);
          if (score < served) {
            throw new Error(
              `leaving ${missing.join(", ")} out scored ${served}, declaring ${JSON.stringify(declared.profile)} scored ${score}`,
            );
          }
          return;
        }
        const field = missing[index] as string;
        for (const value of values[field] ?? []) visit(index + 1, withField(declared, field as Field, value));
      };
      visit(0, omitted);
    }
    expect(combinations).toBeGreaterThan(1000);
  });

  it("costs a bounded number of predictions even with every optional input missing", () => {
    let predictions = 0;
    const engine = scoringEngine(trees.scoring);
    const inputsOf = (declared: Declared) => profileToInputs(declared.profile, record, declared.wallet, at);
    const nothing: Declared = {
      profile: {
        dateOfBirth: null,
        annualIncomeCents: null,
        monthlyDebtPaymentsCents: null,
        revolvingUtilizationPercent: 30,
        openCreditLines: null,
        realEstateLoans: null,
        dependants: null,
        pastDue30to59: 0,
        pastDue60to89: 0,
        pastDue90Plus: 0,
        creditHistoryYears: null,
        recentInquiries: null,
      },
      wallet: null,
    };
    const result = scoreMissingAsWorst(
      {
        score: (declared) => engine.score(inputsOf(declared)),
        predict: (declared) => {
          predictions++;
          return engine.predict(inputsOf(declared));
        },
      },
      nothing,
      { maxAnnualIncomeCents: MAX_INCOME, at, probes: engine.probes },
    );
    expect(result.score).toBeLessThanOrEqual(scoreDeclared(nothing, record, at, trees).score);
    // About 11,000 on this artifact: the one-at-a-time passes over every group's candidates, and the joint part's
    // budget of 1,024 combinations.
    expect(predictions).toBeLessThan(20_000);
  });
});

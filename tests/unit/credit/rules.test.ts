import { describe, expect, it } from "bun:test";
import { type ScoreInputs, scoreResultSchema } from "../../../server/credit/inputs.ts";
import { RULES_WEIGHTS, scoreWithRules } from "../../../server/credit/rules.ts";
import { CLEAN_PROFILE, randomProfiles } from "./fixtures.ts";

const PERFECT: ScoreInputs = {
  ...CLEAN_PROFILE,
  revolvingUtilization: 0.05,
  monthlyDebtPayments: 600,
  monthlyIncome: 6000,
  creditHistoryYears: 25,
  recentInquiries: 0,
  openCreditLines: 6,
  realEstateLoans: 1,
};
const profiles = randomProfiles(3000, 21);
const score = (inputs: ScoreInputs) => scoreWithRules(inputs).score;

describe("rules engine", () => {
  it("weighs payment history 35 %, amounts owed 30 %, length of history 15 %, new credit 10 %, credit mix 10 %", () => {
    const { paymentHistory, utilization, debtToIncome, lengthOfHistory, newCredit, creditMix } =
      RULES_WEIGHTS;
    expect(paymentHistory).toBe(0.35);
    expect(utilization + debtToIncome).toBeCloseTo(0.3, 12);
    expect(lengthOfHistory).toBe(0.15);
    expect(newCredit).toBe(0.1);
    expect(creditMix).toBe(0.1);
    expect(paymentHistory + utilization + debtToIncome + lengthOfHistory + newCredit + creditMix).toBeCloseTo(
      1,
      12,
    );
  });

  it("gives a spotless profile 850 and no reasons", () => {
    expect(scoreWithRules(PERFECT)).toMatchObject({
      score: 850,
      band: "excellent",
      engine: "rules",
      reasons: [],
    });
  });

  it("takes exactly a factor's weight of the 550-point range when only that factor is at its worst", () => {
    const cases: [Partial<ScoreInputs>, number, string][] = [
      [{ pastDue30to59: null, pastDue60to89: null, pastDue90Plus: null }, 0.35, "R11"],
      [{ revolvingUtilization: 3 }, 0.2, "R04"],
      [{ monthlyDebtPayments: 9000 }, 0.1, "R05"],
      [{ creditHistoryYears: 0, walletAgeDays: null }, 0.15, "R06"],
      [{ recentInquiries: 12 }, 0.1, "R07"],
      [{ openCreditLines: 0, realEstateLoans: 0 }, 0.1, "R08"],
    ];
    for (const [change, weight, code] of cases) {
      const result = scoreWithRules({ ...PERFECT, ...change });
      expect(result.score).toBe(Math.round(850 - 550 * weight));
      expect(result.reasons).toEqual([expect.objectContaining({ code, impact: Math.round(550 * weight) })]);
    }
  });

  it("never raises the score for more late payments of any length", () => {
    for (const profile of profiles) {
      for (const counter of ["pastDue30to59", "pastDue60to89", "pastDue90Plus"] as const) {
        const base = profile[counter] ?? 0;
        let previous = score({ ...profile, [counter]: base });
        for (const extra of [1, 2, 5, 20]) {
          const next = score({ ...profile, [counter]: base + extra });
          expect(next).toBeLessThanOrEqual(previous);
          previous = next;
        }
      }
    }
  });

  it("never raises the score for higher utilisation, debt or inquiries", () => {
    for (const profile of profiles) {
      let previous = Number.POSITIVE_INFINITY;
      for (const utilization of [0, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 2, 100]) {
        const next = score({ ...profile, revolvingUtilization: utilization });
        expect(next).toBeLessThanOrEqual(previous);
        previous = next;
      }
      expect(score({ ...profile, recentInquiries: (profile.recentInquiries ?? 0) + 2 })).toBeLessThanOrEqual(
        score({ ...profile, recentInquiries: profile.recentInquiries ?? 0 }),
      );
      if (profile.monthlyDebtPayments !== null) {
        expect(
          score({ ...profile, monthlyDebtPayments: profile.monthlyDebtPayments + 500 }),
        ).toBeLessThanOrEqual(score(profile));
      }
    }
  });

  it("never scores a left-out input better than a supplied one", () => {
    const optional = [
      "monthlyIncome",
      "creditHistoryYears",
      "recentInquiries",
      "openCreditLines",
      "walletAgeDays",
    ] as const;
    for (const profile of profiles.slice(0, 500)) {
      for (const key of optional) {
        if (profile[key] === null) continue;
        expect(score({ ...profile, [key]: null })).toBeLessThanOrEqual(score(profile));
      }
    }
  });

  it("counts wallet age only as a small supplement to credit history", () => {
    const noHistory = { ...PERFECT, creditHistoryYears: null, walletAgeDays: null };
    const gain = score({ ...noHistory, walletAgeDays: 5000 }) - score(noHistory);
    // 20 % of the history factor's 82.5 points, give or take the rounding of each score.
    expect(Math.abs(gain - 550 * 0.15 * 0.2)).toBeLessThanOrEqual(1);
  });

  it("ignores age and dependants entirely", () => {
    for (const profile of profiles.slice(0, 300)) {
      expect(scoreWithRules({ ...profile, age: 20, dependants: 5 })).toEqual(
        scoreWithRules({ ...profile, age: 80, dependants: 0 }),
      );
    }
  });

  it("returns at most four reasons, the costliest first, with positive integer impacts", () => {
    let sawFour = false;
    for (const profile of profiles) {
      const result = scoreWithRules(profile);
      expect(scoreResultSchema.parse(result)).toEqual(result);
      sawFour ||= result.reasons.length === 4;
      result.reasons.forEach((reason, i) => {
        expect(reason.code).toMatch(/^R\d\d$/);
        if (i > 0) expect(reason.impact).toBeLessThanOrEqual((result.reasons[i - 1] as typeof reason).impact);
      });
    }
    expect(sawFour).toBe(true);
  });

  it("names the most severe delinquency and lists missing inputs in contract order", () => {
    const result = scoreWithRules({
      ...PERFECT,
      pastDue30to59: 3,
      pastDue90Plus: 1,
      recentInquiries: null,
      walletAgeDays: null,
    });
    expect(result.reasons[0]).toMatchObject({
      code: "R01",
      description: "Number of times 90 or more days past due",
    });
    expect(result.missingInputs).toEqual(["recentInquiries", "walletAgeDays"]);
    expect(result.modelVersion).toBe("rules-1");
  });
});

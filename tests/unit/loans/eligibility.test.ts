import { describe, expect, test } from "bun:test";
import {
  checkEligibility,
  type EligibilityInput,
  type EligibilityPolicy,
} from "../../../server/loans/eligibility";

const now = new Date("2025-06-30T12:00:00Z");
const policy: EligibilityPolicy = {
  scoreFloor: 600,
  maxDebtToIncome: 0.43,
  maxOpenApplications: 3,
  scoreMaxAgeDays: 30,
  incomeVerificationThresholdCents: 25_000_000, // 250,000.00 a year
};
const applicant: EligibilityInput = {
  kycStatus: "verified",
  latestScore: { score: 700, calculatedAt: new Date("2025-06-20T12:00:00Z") },
  now,
  monthlyIncomeCents: 500_000, // 5,000.00
  annualIncomeCents: 6_000_000,
  incomeVerified: false,
  existingMonthlyDebtCents: 100_000,
  newPaymentCents: 88_849,
  hasDefaultedLoan: false,
  openApplications: 0,
  amlRiskLevel: "low",
};

const check = (override: Partial<EligibilityInput>) =>
  checkEligibility({ ...applicant, ...override }, policy);

describe("checkEligibility", () => {
  test("a verified applicant with a fresh, good score and room in their budget is eligible", () => {
    expect(checkEligibility(applicant, policy)).toEqual({ eligible: true });
    expect(check({ amlRiskLevel: null, openApplications: 2 })).toEqual({ eligible: true });
  });

  test.each<[string, Partial<EligibilityInput>, string, string]>([
    ["KYC not verified", { kycStatus: "pending" }, "KYC_NOT_VERIFIED", "identity must be verified"],
    ["no KYC at all", { kycStatus: null }, "KYC_NOT_VERIFIED", "identity must be verified"],
    ["a high AML risk", { amlRiskLevel: "high" }, "AML_HIGH_RISK", "AML risk level is high"],
    [
      "an unverified income above the threshold",
      { annualIncomeCents: 30_000_000, monthlyIncomeCents: 2_500_000 },
      "INCOME_NOT_VERIFIED",
      "income of 300000.00 a year is above 250000.00",
    ],
    ["a defaulted loan", { hasDefaultedLoan: true }, "HAS_DEFAULTED_LOAN", "loan in default"],
    ["too many open applications", { openApplications: 3 }, "TOO_MANY_OPEN_APPLICATIONS", "the limit is 3"],
    ["no score", { latestScore: null }, "SCORE_MISSING", "calculate one"],
    [
      "a score older than 30 days",
      { latestScore: { score: 800, calculatedAt: new Date("2025-05-31T11:59:59Z") } },
      "SCORE_STALE",
      "30 days old; it must be at most 30",
    ],
    [
      "a score below the floor",
      { latestScore: { score: 599, calculatedAt: now } },
      "SCORE_BELOW_FLOOR",
      "599 is below the minimum of 600",
    ],
    [
      "debt above 43 % of income",
      { existingMonthlyDebtCents: 126_152 },
      "DTI_TOO_HIGH",
      "43.01 % of your income; the maximum is 43 %",
    ],
    ["no income", { monthlyIncomeCents: null }, "DTI_TOO_HIGH", "no monthly income"],
    ["zero income", { monthlyIncomeCents: 0 }, "DTI_TOO_HIGH", "no monthly income"],
  ])("refuses %s", (_name, override, code, reason) => {
    const result = check(override);
    expect(result).toMatchObject({ eligible: false, code });
    if (result.eligible) throw new Error("expected a refusal");
    expect(result.reason).toContain(reason);
  });

  test("thresholds are inclusive: exactly the floor, 30 days old and 43 % pass", () => {
    expect(check({ latestScore: { score: 600, calculatedAt: new Date("2025-05-31T12:00:00Z") } })).toEqual({
      eligible: true,
    });
    // 100,000 + 115,000 = 215,000 of 500,000 is exactly 43 %
    expect(check({ newPaymentCents: 115_000 })).toEqual({ eligible: true });
    expect(check({ newPaymentCents: 115_001 })).toMatchObject({ code: "DTI_TOO_HIGH" });
  });

  test("the DTI reason states the ratio", () => {
    expect(check({ existingMonthlyDebtCents: 200_000 })).toMatchObject({
      reason:
        "With this loan your monthly debt payments would be 57.77 % of your income; the maximum is 43 %.",
    });
  });

  test("AML levels that block can be configured", () => {
    expect(
      checkEligibility(
        { ...applicant, amlRiskLevel: "medium" },
        { ...policy, blockedAmlRiskLevels: ["medium", "high"] },
      ),
    ).toMatchObject({
      code: "AML_HIGH_RISK",
    });
    expect(check({ amlRiskLevel: "critical" })).toMatchObject({ code: "AML_HIGH_RISK" });
  });

  test("reports the first problem when there are several", () => {
    expect(check({ kycStatus: "rejected", latestScore: null, hasDefaultedLoan: true })).toMatchObject({
      code: "KYC_NOT_VERIFIED",
    });
  });

  test("an AML refusal is undisclosed and comes last, after every reason the applicant can act on", () => {
    expect(check({ amlRiskLevel: "high" })).toMatchObject({ code: "AML_HIGH_RISK", disclosed: false });
    expect(check({ amlRiskLevel: "high", latestScore: null })).toMatchObject({
      code: "SCORE_MISSING",
      disclosed: true,
    });
    expect(check({ existingMonthlyDebtCents: 200_000 })).toMatchObject({ disclosed: true });
  });

  test("a verified income above the threshold is counted", () => {
    const high = { annualIncomeCents: 30_000_000, monthlyIncomeCents: 2_500_000 };
    expect(check({ ...high, incomeVerified: true })).toEqual({ eligible: true });
    expect(check({ ...high, annualIncomeCents: 25_000_000, monthlyIncomeCents: 2_083_333 })).toEqual({
      eligible: true,
    });
  });
});

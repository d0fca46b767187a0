import { formatMoney } from "../money";

const DAY_MS = 86_400_000;

export type EligibilityInput = {
  kycStatus: string | null;
  latestScore: { score: number; calculatedAt: Date } | null;
  now: Date;
  monthlyIncomeCents: number | null;
  /** The declared annual income, and whether a reviewer verified exactly that amount. */
  annualIncomeCents: number | null;
  incomeVerified: boolean;
  existingMonthlyDebtCents: number;
  /** The new loan's monthly payment (the first, largest one for equal principal). */
  newPaymentCents: number;
  hasDefaultedLoan: boolean;
  /** The applicant's loans still open as applications (`openApplicationStatuses`), not counting this one. */
  openApplications: number;
  /** The compliance module's AML risk level for the applicant, if any. */
  amlRiskLevel: string | null;
};

export type EligibilityPolicy = {
  scoreFloor: number;
  /** Ceiling on (existing debt + new payment) / income, e.g. 0.43; equal to it is allowed. */
  maxDebtToIncome: number;
  /** Applications open at once, this one included. */
  maxOpenApplications: number;
  /** A score calculated longer ago than this (elapsed time) is stale. */
  scoreMaxAgeDays: number;
  /** AML levels that refuse an application. Default: high, critical. */
  blockedAmlRiskLevels?: readonly string[];
  /** A declared annual income above this is not counted until a reviewer verified it. */
  incomeVerificationThresholdCents: number;
};

export const eligibilityCodes = [
  "KYC_NOT_VERIFIED",
  "HAS_DEFAULTED_LOAN",
  "TOO_MANY_OPEN_APPLICATIONS",
  "SCORE_MISSING",
  "SCORE_STALE",
  "SCORE_BELOW_FLOOR",
  "INCOME_NOT_VERIFIED",
  "DTI_TOO_HIGH",
  "AML_HIGH_RISK",
] as const;
export type EligibilityCode = (typeof eligibilityCodes)[number];

/**
 * Reasons the applicant is not told: they see NOT_ELIGIBLE with a generic sentence, and underwriters the real
 * code. Telling someone they are under AML suspicion is tipping off.
 */
export const undisclosedCodes: readonly EligibilityCode[] = ["AML_HIGH_RISK"];

export const NOT_ELIGIBLE = {
  code: "NOT_ELIGIBLE",
  reason: "We cannot take a loan application from you at the moment.",
} as const;

export type EligibilityResult =
  | { eligible: true }
  | { eligible: false; code: EligibilityCode; reason: string; disclosed: boolean };

const refuse = (code: EligibilityCode, reason: string): EligibilityResult => ({
  eligible: false,
  code,
  reason,
  disclosed: !undisclosedCodes.includes(code),
});

/** Basis points as a percentage without trailing zeros: 4300 → "43 %", 5777 → "57.77 %". */
function percent(basisPoints: number | bigint): string {
  return `${Number(basisPoints) / 100} %`;
}

/**
 * Checks an application, in the order listed in `eligibilityCodes` (identity first, then history, the score
 * and affordability, the undisclosed compliance reasons last, so that an applicant who can act on a reason
 * hears it), and returns the first refusal with its reason.
 */
export function checkEligibility(input: EligibilityInput, policy: EligibilityPolicy): EligibilityResult {
  if (input.kycStatus !== "verified") {
    return refuse(
      "KYC_NOT_VERIFIED",
      "Your identity must be verified (KYC) before you can apply for a loan.",
    );
  }
  if (input.hasDefaultedLoan) {
    return refuse("HAS_DEFAULTED_LOAN", "You have a loan in default, so you cannot apply for another one.");
  }
  if (input.openApplications >= policy.maxOpenApplications) {
    return refuse(
      "TOO_MANY_OPEN_APPLICATIONS",
      `You already have ${input.openApplications} open loan application(s); the limit is ${policy.maxOpenApplications}.`,
    );
  }
  const score = input.latestScore;
  if (!score) {
    return refuse("SCORE_MISSING", "You have no credit score yet; calculate one before applying.");
  }
  const ageMs = input.now.getTime() - score.calculatedAt.getTime();
  if (ageMs > policy.scoreMaxAgeDays * DAY_MS) {
    const age = Math.floor(ageMs / DAY_MS);
    return refuse(
      "SCORE_STALE",
      `Your credit score is ${age} days old; it must be at most ${policy.scoreMaxAgeDays} days old, so calculate it again.`,
    );
  }
  if (score.score < policy.scoreFloor) {
    return refuse(
      "SCORE_BELOW_FLOOR",
      `Your credit score of ${score.score} is below the minimum of ${policy.scoreFloor} for a loan.`,
    );
  }
  const annual = input.annualIncomeCents ?? 0;
  if (annual > policy.incomeVerificationThresholdCents && !input.incomeVerified) {
    return refuse(
      "INCOME_NOT_VERIFIED",
      `Your declared income of ${formatMoney(annual)} a year is above ${formatMoney(policy.incomeVerificationThresholdCents)}; we count it once our staff have verified it, so send us evidence of your income.`,
    );
  }
  const income = input.monthlyIncomeCents ?? 0;
  const debt = input.existingMonthlyDebtCents + input.newPaymentCents;
  if (income <= 0) {
    return refuse(
      "DTI_TOO_HIGH",
      "We have no monthly income for you, so we cannot check that you can afford the payments.",
    );
  }
  // Compare in whole numbers: debt / income > ceiling  ⇔  debt · 10 000 > income · ceiling in basis points.
  const ceilingBasisPoints = Math.round(policy.maxDebtToIncome * 10_000);
  const scaledDebt = BigInt(debt) * 10_000n;
  const bigIncome = BigInt(income);
  if (scaledDebt > bigIncome * BigInt(ceilingBasisPoints)) {
    // Rounded up, so a ratio just over the ceiling never reads as equal to it.
    const ratioBasisPoints = (scaledDebt + bigIncome - 1n) / bigIncome;
    return refuse(
      "DTI_TOO_HIGH",
      `With this loan your monthly debt payments would be ${percent(ratioBasisPoints)} of your income; the maximum is ${percent(ceilingBasisPoints)}.`,
    );
  }
  const blocked = policy.blockedAmlRiskLevels ?? ["high", "critical"];
  if (input.amlRiskLevel !== null && blocked.includes(input.amlRiskLevel)) {
    return refuse("AML_HIGH_RISK", "The applicant's AML risk level is high: open alerts await review.");
  }
  return { eligible: true };
}

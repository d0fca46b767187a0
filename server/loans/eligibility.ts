const DAY_MS = 86_400_000;

export type EligibilityInput = {
  kycStatus: string | null;
  latestScore: { score: number; calculatedAt: Date } | null;
  now: Date;
  monthlyIncomeCents: number | null;
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
};

export const eligibilityCodes = [
  "KYC_NOT_VERIFIED",
  "AML_HIGH_RISK",
  "HAS_DEFAULTED_LOAN",
  "TOO_MANY_OPEN_APPLICATIONS",
  "SCORE_MISSING",
  "SCORE_STALE",
  "SCORE_BELOW_FLOOR",
  "DTI_TOO_HIGH",
] as const;
export type EligibilityCode = (typeof eligibilityCodes)[number];

export type EligibilityResult =
  | { eligible: true }
  | { eligible: false; code: EligibilityCode; reason: string };

const refuse = (code: EligibilityCode, reason: string): EligibilityResult => ({
  eligible: false,
  code,
  reason,
});

/** Basis points as a percentage without trailing zeros: 4300 → "43 %", 5777 → "57.77 %". */
function percent(basisPoints: number | bigint): string {
  return `${Number(basisPoints) / 100} %`;
}

/**
 * Checks an application, in the order listed in `eligibilityCodes` (identity and compliance first, then
 * history, then the score, then affordability), and returns the first refusal with a reason the applicant
 * can act on.
 */
export function checkEligibility(input: EligibilityInput, policy: EligibilityPolicy): EligibilityResult {
  if (input.kycStatus !== "verified") {
    return refuse(
      "KYC_NOT_VERIFIED",
      "Your identity must be verified (KYC) before you can apply for a loan.",
    );
  }
  const blocked = policy.blockedAmlRiskLevels ?? ["high", "critical"];
  if (input.amlRiskLevel !== null && blocked.includes(input.amlRiskLevel)) {
    return refuse(
      "AML_HIGH_RISK",
      "Your account is under compliance review, so we cannot take a loan application now.",
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
  return { eligible: true };
}

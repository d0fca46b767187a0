import type { Config } from "../config";
import type { PricingTable } from "../pricing-table";
import type { Creditor } from "./adverse-action";
import type { DelinquencyPolicy } from "./delinquency";
import type { EligibilityPolicy } from "./eligibility";

/** What the loans service reads from the configuration, as plain values. */
export type LoanSettings = {
  minAmountCents: number;
  maxAmountCents: number;
  minTermMonths: number;
  maxTermMonths: number;
  pricing: PricingTable;
  eligibility: EligibilityPolicy;
  delinquency: DelinquencyPolicy;
  /** How long an Idempotency-Key is remembered. */
  idempotencyTtlHours: number;
  /** Named on adverse-action notices. */
  creditor: Creditor;
};

export function loanSettings(config: Config): LoanSettings {
  return {
    minAmountCents: config.LOAN_MIN_AMOUNT,
    maxAmountCents: config.LOAN_MAX_AMOUNT,
    minTermMonths: config.LOAN_MIN_TERM_MONTHS,
    maxTermMonths: config.LOAN_MAX_TERM_MONTHS,
    pricing: config.LOAN_PRICING_TABLE,
    eligibility: {
      scoreFloor: config.LOAN_SCORE_FLOOR,
      maxDebtToIncome: config.LOAN_MAX_DTI_PERCENT / 100,
      maxOpenApplications: config.LOAN_MAX_OPEN_APPLICATIONS,
      scoreMaxAgeDays: config.LOAN_SCORE_MAX_AGE_DAYS,
      incomeVerificationThresholdCents: config.LOAN_INCOME_VERIFICATION_THRESHOLD,
    },
    delinquency: { graceDays: config.LOAN_GRACE_DAYS, defaultAfterDays: config.LOAN_DEFAULT_AFTER_DAYS },
    idempotencyTtlHours: config.IDEMPOTENCY_TTL_HOURS,
    creditor: { name: config.CREDITOR_NAME, address: config.CREDITOR_ADDRESS },
  };
}

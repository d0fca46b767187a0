import type { FinancialProfile } from "../../db/schema";
import { ageOn, MINIMUM_AGE } from "../age";
import { invalidInput } from "../errors";
import { REQUIRED_INPUTS, type RequiredInput, type ScoreInputKey, type ScoreInputs } from "./inputs";
import type { PaymentRecord } from "./payment-record";

/**
 * The financial profile as scoring reads it, in the profile's own units: money in integer cents, utilisation
 * as a percentage (35 means 35 %), the date of birth as an ISO date. Both the stored profile and a
 * simulation's hypothetical one come in this shape.
 */
export type ScoringProfile = {
  dateOfBirth: string | null;
  annualIncomeCents: number | null;
  monthlyDebtPaymentsCents: number | null;
  revolvingUtilizationPercent: number | null;
  openCreditLines: number | null;
  realEstateLoans: number | null;
  dependants: number | null;
  pastDue30to59: number | null;
  pastDue60to89: number | null;
  pastDue90Plus: number | null;
  creditHistoryYears: number | null;
  recentInquiries: number | null;
};

/** On-chain activity of the user's linked wallet; null fields are unknown. */
export type WalletActivityInputs = { walletAgeDays: number | null; walletTxCount: number | null };

/** Reads on-chain activity for a user: null without a linked wallet or a chain. Never expected to throw. */
export type WalletActivityProvider = (userId: string) => Promise<WalletActivityInputs | null>;

/** The profile field a user fills in to supply each score input (wallet inputs come from a linked wallet). */
export const PROFILE_FIELD_FOR_INPUT: Record<ScoreInputKey, string> = {
  age: "dateOfBirth",
  monthlyIncome: "annualIncome",
  monthlyDebtPayments: "monthlyDebtPayments",
  revolvingUtilization: "revolvingUtilizationPercent",
  openCreditLines: "openCreditLines",
  realEstateLoans: "realEstateLoans",
  dependants: "dependants",
  pastDue30to59: "pastDue30to59",
  pastDue60to89: "pastDue60to89",
  pastDue90Plus: "pastDue90Plus",
  creditHistoryYears: "creditHistoryYears",
  recentInquiries: "recentInquiries",
  walletAgeDays: "walletAddress",
  walletTxCount: "walletAddress",
};

const decimal = (value: string | null): number | null => (value === null ? null : Number(value));

export function scoringProfileFromRow(row: FinancialProfile | null | undefined): ScoringProfile {
  return {
    dateOfBirth: row?.dateOfBirth ?? null,
    annualIncomeCents: row?.annualIncomeCents ?? null,
    monthlyDebtPaymentsCents: row?.monthlyDebtPaymentsCents ?? null,
    revolvingUtilizationPercent: decimal(row?.revolvingUtilizationPercent ?? null),
    openCreditLines: row?.openCreditLines ?? null,
    realEstateLoans: row?.realEstateLoans ?? null,
    dependants: row?.dependants ?? null,
    pastDue30to59: row?.pastDue30to59 ?? null,
    pastDue60to89: row?.pastDue60to89 ?? null,
    pastDue90Plus: row?.pastDue90Plus ?? null,
    creditHistoryYears: decimal(row?.creditHistoryYears ?? null),
    recentInquiries: row?.recentInquiries ?? null,
  };
}

const plus = (declared: number | null, platform: number): number | null =>
  declared === null ? null : declared + platform;

/**
 * Maps a profile, the platform's repayment record and on-chain activity to the engines' inputs, as of `at`.
 * Platform events add to the counters the user declared: late instalments to the past-due counters (by how
 * late they got when the record says, else as 30–59 days), defaulted loans to 90+ days, open loans to open
 * credit lines. A counter the user has not declared stays unknown: the platform's own loans are not the
 * whole credit file, so they never stand in for it.
 */
export function profileToInputs(
  profile: ScoringProfile,
  record: PaymentRecord,
  wallet: WalletActivityInputs | null,
  at: Date,
): ScoreInputs {
  const late = record.lateByDaysPastDue ?? { from30to59: record.lateInstalments, from60to89: 0, from90: 0 };
  const age = profile.dateOfBirth === null ? null : ageOn(profile.dateOfBirth, at);
  if (age !== null && age < MINIMUM_AGE) {
    throw invalidInput(
      "UNDERAGE",
      `Scoring needs an applicant aged ${MINIMUM_AGE} or over (see dateOfBirth)`,
      {
        fields: ["dateOfBirth"],
      },
    );
  }
  const { annualIncomeCents, monthlyDebtPaymentsCents, revolvingUtilizationPercent } = profile;
  return {
    age: age === null ? null : Math.min(age, 120),
    monthlyIncome: annualIncomeCents === null ? null : Math.round(annualIncomeCents / 12) / 100,
    monthlyDebtPayments: monthlyDebtPaymentsCents === null ? null : monthlyDebtPaymentsCents / 100,
    revolvingUtilization: revolvingUtilizationPercent === null ? null : revolvingUtilizationPercent / 100,
    openCreditLines: plus(profile.openCreditLines, record.openLoans),
    realEstateLoans: profile.realEstateLoans,
    dependants: profile.dependants,
    pastDue30to59: plus(profile.pastDue30to59, late.from30to59),
    pastDue60to89: plus(profile.pastDue60to89, late.from60to89),
    pastDue90Plus: plus(profile.pastDue90Plus, late.from90 + record.defaultedLoans),
    creditHistoryYears: profile.creditHistoryYears,
    recentInquiries: profile.recentInquiries,
    walletAgeDays: wallet?.walletAgeDays ?? null,
    walletTxCount: wallet?.walletTxCount ?? null,
  };
}

/** The 4xx for a profile too thin to score, naming the missing fields as the profile names them. */
export function insufficientData(missing: readonly RequiredInput[]) {
  const fields = REQUIRED_INPUTS.filter((key) => missing.includes(key)).map(
    (key) => PROFILE_FIELD_FOR_INPUT[key],
  );
  return invalidInput(
    "INSUFFICIENT_DATA",
    `Not enough data to calculate a score: fill in ${fields.join(", ")} in the financial profile`,
    { fields },
  );
}

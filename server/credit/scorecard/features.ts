import type { ScoreInputKey, ScoreInputs } from "../inputs.ts";

/**
 * The scorecard's features and where each comes from in `ScoreInputs` (training reads the CSV into the
 * same `ScoreInputs`, so training and scoring compute features with this one function):
 *
 * | feature                | from `ScoreInputs`                                 | CSV column                             |
 * |------------------------|----------------------------------------------------|----------------------------------------|
 * | `revolvingUtilization` | `revolvingUtilization` (0.35 = 35 %, capped at 100) | RevolvingUtilizationOfUnsecuredLines   |
 * | `age`                  | `age` (years)                                      | age (0 → missing)                      |
 * | `debtRatio`            | `monthlyDebtPayments / monthlyIncome`; missing when either is missing or income is 0 | DebtRatio (only where MonthlyIncome > 0) |
 * | `monthlyIncome`        | `monthlyIncome`                                    | MonthlyIncome (NA → missing)           |
 * | `openCreditLines`      | `openCreditLines`                                  | NumberOfOpenCreditLinesAndLoans        |
 * | `realEstateLoans`      | `realEstateLoans`                                  | NumberRealEstateLoansOrLines           |
 * | `dependants`           | `dependants`                                       | NumberOfDependents (NA → missing)      |
 * | `pastDue30to59`        | `pastDue30to59`                                    | NumberOfTime30-59DaysPastDueNotWorse (96/98 → missing) |
 * | `pastDue60to89`        | `pastDue60to89`                                    | NumberOfTime60-89DaysPastDueNotWorse (96/98 → missing) |
 * | `pastDue90Plus`        | `pastDue90Plus`                                    | NumberOfTimes90DaysLate (96/98 → missing) |
 *
 * `creditHistoryYears`, `recentInquiries`, `walletAgeDays` and `walletTxCount` are not in the training
 * data; only the rules engine uses them.
 *
 * A missing input puts its feature in the feature's missing bin. Where training saw at least 100
 * missing values, that bin has its own learnt WoE, capped at the average applicant's (WoE 0) so that
 * leaving a self-reported input out is never rewarded: monthly income and debt ratio (income NA or 0),
 * dependants (NA), and the past-due counters (the data's 96/98 code, about 55 % bad, which is why
 * `requiredInputs` asks for them). Elsewhere (utilisation, age, open lines, real-estate loans) it gets
 * the feature's worst bin.
 */
export const FEATURE_IDS = [
  "revolvingUtilization",
  "age",
  "debtRatio",
  "monthlyIncome",
  "openCreditLines",
  "realEstateLoans",
  "dependants",
  "pastDue30to59",
  "pastDue60to89",
  "pastDue90Plus",
] as const;
export type FeatureId = (typeof FEATURE_IDS)[number];

export type ReasonText = { code: string; description: string };

export type FeatureSpec = {
  id: FeatureId;
  label: string;
  /** The `ScoreInputs` fields the feature reads; missing ones are reported in `missingInputs`. */
  inputs: readonly ScoreInputKey[];
  /** How the bad rate must move as the value grows; "auto" keeps whichever monotone fit is stronger. */
  riskDirection: "increasing" | "decreasing" | "auto";
  /** A protected characteristic is scored only under its legal condition and never named as a reason. */
  protectedCharacteristic: boolean;
  /** Whole numbers only (bin labels read "2–3" rather than "[2, 4)"). */
  integer: boolean;
  /** Values from here up share one bin (Regulation B: everyone aged 62+ scores alike for age). */
  pooledFrom?: number;
  /** Model reason when a value cost points, and when the feature was unknown and that cost points. */
  reason: ReasonText;
  missingReason: ReasonText;
  value: (inputs: ScoreInputs) => number;
};

/** Shared by the three counters: a score reports one reason per code, summing the points. */
const PAYMENT_HISTORY_UNKNOWN: ReasonText = { code: "M11", description: "Payment history not available" };

const orNaN = (value: number | null): number => (value === null ? Number.NaN : value);

export const FEATURES: readonly FeatureSpec[] = [
  {
    id: "revolvingUtilization",
    label: "Revolving utilisation (balances / credit limits)",
    inputs: ["revolvingUtilization"],
    riskDirection: "increasing",
    integer: false,
    protectedCharacteristic: false,
    reason: {
      code: "M04",
      description: "Proportion of balances to credit limits on revolving accounts is too high",
    },
    missingReason: {
      code: "M14",
      description: "Balances and credit limits on revolving accounts not provided",
    },
    value: (inputs) => orNaN(inputs.revolvingUtilization),
  },
  {
    id: "age",
    label: "Age (years)",
    inputs: ["age"],
    riskDirection: "decreasing",
    integer: true,
    protectedCharacteristic: true,
    pooledFrom: 62,
    // Never given: age is a protected characteristic (Regulation B); kept only so the table is total.
    reason: { code: "M00", description: "Not disclosed" },
    missingReason: { code: "M00", description: "Not disclosed" },
    value: (inputs) => orNaN(inputs.age),
  },
  {
    id: "debtRatio",
    label: "Monthly debt payments / monthly income",
    inputs: ["monthlyDebtPayments", "monthlyIncome"],
    riskDirection: "auto",
    integer: false,
    protectedCharacteristic: false,
    reason: { code: "M05", description: "Excessive obligations in relation to income" },
    missingReason: { code: "M15", description: "Debt payments or income not provided" },
    value: (inputs) => {
      const income = inputs.monthlyIncome;
      const debt = inputs.monthlyDebtPayments;
      return income === null || income === 0 || debt === null ? Number.NaN : debt / income;
    },
  },
  {
    id: "monthlyIncome",
    label: "Monthly income",
    inputs: ["monthlyIncome"],
    riskDirection: "auto",
    integer: false,
    protectedCharacteristic: false,
    reason: { code: "M06", description: "Level of income" },
    missingReason: { code: "M16", description: "Income not provided" },
    value: (inputs) => orNaN(inputs.monthlyIncome),
  },
  {
    id: "openCreditLines",
    label: "Open credit lines and loans",
    inputs: ["openCreditLines"],
    riskDirection: "auto",
    integer: true,
    protectedCharacteristic: false,
    reason: { code: "M07", description: "Number of open credit lines and loans" },
    missingReason: { code: "M17", description: "Number of open credit lines and loans not provided" },
    value: (inputs) => orNaN(inputs.openCreditLines),
  },
  {
    id: "realEstateLoans",
    label: "Real-estate loans and lines",
    inputs: ["realEstateLoans"],
    riskDirection: "auto",
    integer: true,
    protectedCharacteristic: false,
    reason: { code: "M08", description: "Number of real-estate loans and lines of credit" },
    missingReason: { code: "M18", description: "Number of real-estate loans not provided" },
    value: (inputs) => orNaN(inputs.realEstateLoans),
  },
  {
    id: "dependants",
    label: "Dependants",
    inputs: ["dependants"],
    riskDirection: "auto",
    integer: true,
    protectedCharacteristic: false,
    reason: { code: "M09", description: "Number of dependants" },
    missingReason: { code: "M19", description: "Number of dependants not provided" },
    value: (inputs) => orNaN(inputs.dependants),
  },
  {
    id: "pastDue30to59",
    label: "Times 30–59 days past due (2 years)",
    inputs: ["pastDue30to59"],
    riskDirection: "increasing",
    integer: true,
    protectedCharacteristic: false,
    reason: { code: "M03", description: "Number of times 30 to 59 days past due" },
    missingReason: PAYMENT_HISTORY_UNKNOWN,
    value: (inputs) => orNaN(inputs.pastDue30to59),
  },
  {
    id: "pastDue60to89",
    label: "Times 60–89 days past due (2 years)",
    inputs: ["pastDue60to89"],
    riskDirection: "increasing",
    integer: true,
    protectedCharacteristic: false,
    reason: { code: "M02", description: "Number of times 60 to 89 days past due" },
    missingReason: PAYMENT_HISTORY_UNKNOWN,
    value: (inputs) => orNaN(inputs.pastDue60to89),
  },
  {
    id: "pastDue90Plus",
    label: "Times 90 or more days past due",
    inputs: ["pastDue90Plus"],
    riskDirection: "increasing",
    integer: true,
    protectedCharacteristic: false,
    reason: { code: "M01", description: "Number of times 90 or more days past due" },
    missingReason: PAYMENT_HISTORY_UNKNOWN,
    value: (inputs) => orNaN(inputs.pastDue90Plus),
  },
];

const BY_ID = new Map<FeatureId, FeatureSpec>(FEATURES.map((feature) => [feature.id, feature]));

export function featureSpec(id: FeatureId): FeatureSpec {
  const spec = BY_ID.get(id);
  if (!spec) throw new Error(`unknown feature ${id}`);
  return spec;
}

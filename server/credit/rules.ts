import { scoreBand } from "../score-bands";
import {
  type Reason,
  SCORE_MAX,
  SCORE_MIN,
  type ScoreInputKey,
  type ScoreInputs,
  type ScoreResult,
} from "./inputs.ts";

export const RULES_VERSION = "rules-1";

/**
 * The classic factor weights. Amounts owed is split between revolving utilisation (20 %) and
 * debt-to-income (10 %); length of history counts credit history years, topped up by wallet age.
 */
export const RULES_WEIGHTS = {
  paymentHistory: 0.35,
  utilization: 0.2,
  debtToIncome: 0.1,
  lengthOfHistory: 0.15,
  newCredit: 0.1,
  creditMix: 0.1,
} as const;
export type RulesFactor = keyof typeof RULES_WEIGHTS;

const RANGE = SCORE_MAX - SCORE_MIN;

/** Each factor's reason: when a value cost points, and when the input was missing and that cost points. */
export const RULES_REASONS = {
  pastDue90Plus: { code: "R01", description: "Number of times 90 or more days past due" },
  pastDue60to89: { code: "R02", description: "Number of times 60 to 89 days past due" },
  pastDue30to59: { code: "R03", description: "Number of times 30 to 59 days past due" },
  paymentHistoryUnknown: { code: "R11", description: "Payment history not available" },
  utilization: {
    code: "R04",
    description: "Proportion of balances to credit limits on revolving accounts is too high",
  },
  utilizationUnknown: {
    code: "R14",
    description: "Balances and credit limits on revolving accounts not provided",
  },
  debtToIncome: { code: "R05", description: "Excessive obligations in relation to income" },
  debtToIncomeUnknown: { code: "R15", description: "Debt payments or income not provided" },
  lengthOfHistory: { code: "R06", description: "Length of time accounts have been established" },
  lengthOfHistoryUnknown: { code: "R16", description: "Length of credit history not provided" },
  newCredit: { code: "R07", description: "Number of recent inquiries for credit" },
  newCreditUnknown: { code: "R17", description: "Number of recent credit inquiries not provided" },
  creditMix: { code: "R08", description: "Too few open credit lines or loans" },
  creditMixUnknown: { code: "R18", description: "Open credit lines and loans not provided" },
} as const satisfies Record<string, { code: string; description: string }>;

type ReasonKey = keyof typeof RULES_REASONS;
type Factor = { factor: RulesFactor; subscore: number; reason: ReasonKey };

/** Linear interpolation through (x, y) knots, flat beyond the ends. */
function piecewise(knots: readonly (readonly [number, number])[], x: number): number {
  const first = knots[0] as readonly [number, number];
  if (x <= first[0]) return first[1];
  for (let i = 1; i < knots.length; i++) {
    const [x1, y1] = knots[i] as readonly [number, number];
    if (x <= x1) {
      const [x0, y0] = knots[i - 1] as readonly [number, number];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return (knots[knots.length - 1] as readonly [number, number])[1];
}

const UTILIZATION = [
  [0.1, 1],
  [0.3, 0.85],
  [0.5, 0.6],
  [0.75, 0.35],
  [1, 0.1],
  [1.5, 0],
] as const;
const DEBT_TO_INCOME = [
  [0.2, 1],
  [0.36, 0.8],
  [0.5, 0.5],
  [0.8, 0.2],
  [1.2, 0],
] as const;
const HISTORY_YEARS = [
  [0, 0],
  [1, 0.2],
  [2, 0.35],
  [5, 0.6],
  [10, 0.85],
  [20, 1],
] as const;
const INQUIRIES = [
  [0, 1],
  [1, 0.85],
  [2, 0.7],
  [4, 0.4],
  [8, 0],
] as const;
/** Wallet age adds at most this much to the history subscore, reaching it at two years. */
const WALLET_SUPPLEMENT = 0.2;
const WALLET_FULL_DAYS = 730;

/**
 * Subscores in [0, 1] per factor. Every subscore is non-increasing in each adverse input (late
 * payments, utilisation, debt-to-income, inquiries) and non-decreasing in each favourable one, and an
 * unknown input scores as its least favourable value, so leaving an input out never scores better
 * than supplying it.
 */
function factors(inputs: ScoreInputs): Factor[] {
  const { pastDue30to59: late30, pastDue60to89: late60, pastDue90Plus: late90 } = inputs;
  const payment: Factor =
    late30 === null || late60 === null || late90 === null
      ? { factor: "paymentHistory", subscore: 0, reason: "paymentHistoryUnknown" }
      : {
          factor: "paymentHistory",
          // Weighted late payments: a 60-day late counts twice a 30-day one, a 90-day late four times.
          subscore: 1 / (1 + 0.5 * (late30 + 2 * late60 + 4 * late90)),
          reason: late90 > 0 ? "pastDue90Plus" : late60 > 0 ? "pastDue60to89" : "pastDue30to59",
        };

  const utilization: Factor =
    inputs.revolvingUtilization === null
      ? { factor: "utilization", subscore: 0, reason: "utilizationUnknown" }
      : {
          factor: "utilization",
          subscore: piecewise(UTILIZATION, inputs.revolvingUtilization),
          reason: "utilization",
        };

  const { monthlyIncome: income, monthlyDebtPayments: debt } = inputs;
  const debtToIncome: Factor =
    income === null || debt === null
      ? { factor: "debtToIncome", subscore: 0, reason: "debtToIncomeUnknown" }
      : {
          factor: "debtToIncome",
          subscore: debt === 0 ? 1 : income === 0 ? 0 : piecewise(DEBT_TO_INCOME, debt / income),
          reason: "debtToIncome",
        };

  const years = inputs.creditHistoryYears;
  const wallet = inputs.walletAgeDays === null ? 0 : Math.min(1, inputs.walletAgeDays / WALLET_FULL_DAYS);
  const history: Factor = {
    factor: "lengthOfHistory",
    subscore: Math.min(
      1,
      (years === null ? 0 : piecewise(HISTORY_YEARS, years)) + WALLET_SUPPLEMENT * wallet,
    ),
    reason: years === null ? "lengthOfHistoryUnknown" : "lengthOfHistory",
  };

  const newCredit: Factor =
    inputs.recentInquiries === null
      ? { factor: "newCredit", subscore: 0, reason: "newCreditUnknown" }
      : { factor: "newCredit", subscore: piecewise(INQUIRIES, inputs.recentInquiries), reason: "newCredit" };

  // Mix: up to 0.7 for open lines (full at four) and 0.3 for holding any real-estate loan.
  const { openCreditLines: lines, realEstateLoans: realEstate } = inputs;
  const mix: Factor = {
    factor: "creditMix",
    subscore:
      0.7 * (lines === null ? 0 : Math.min(1, lines / 4)) +
      0.3 * (realEstate === null ? 0 : Math.min(1, realEstate)),
    reason: lines === null && realEstate === null ? "creditMixUnknown" : "creditMix",
  };
  return [payment, utilization, debtToIncome, history, newCredit, mix];
}

const USED_INPUTS: readonly ScoreInputKey[] = [
  "monthlyIncome",
  "monthlyDebtPayments",
  "revolvingUtilization",
  "openCreditLines",
  "realEstateLoans",
  "pastDue30to59",
  "pastDue60to89",
  "pastDue90Plus",
  "creditHistoryYears",
  "recentInquiries",
  "walletAgeDays",
];

/**
 * The rule-based engine: score = 300 + 550 · Σ weight · subscore, rounded. A factor's impact is the
 * points it lost against a perfect subscore; the reasons are the four largest, biggest first. It never
 * reads age or dependants.
 */
export function scoreWithRules(inputs: ScoreInputs): ScoreResult {
  let weighted = 0;
  const reasons: Reason[] = [];
  for (const { factor, subscore, reason } of factors(inputs)) {
    const weight = RULES_WEIGHTS[factor];
    weighted += weight * subscore;
    const impact = Math.round(RANGE * weight * (1 - subscore));
    if (impact > 0) reasons.push({ ...RULES_REASONS[reason], impact });
  }
  reasons.sort((a, b) => b.impact - a.impact || (a.code < b.code ? -1 : 1));
  if (reasons.length > 4) reasons.length = 4;
  const score = Math.min(SCORE_MAX, Math.max(SCORE_MIN, Math.round(SCORE_MIN + RANGE * weighted)));
  return {
    score,
    band: scoreBand(score),
    probabilityOfDefault: null,
    engine: "rules",
    modelVersion: RULES_VERSION,
    reasons,
    missingInputs: USED_INPUTS.filter((key) => inputs[key] === null),
  };
}

import type { ScoringProfile, WalletActivityInputs } from "./profile-inputs";

/**
 * What the no-gaming search (missing-inputs.ts) tries for each group of inputs a borrower may leave out: the
 * candidate values, and the reason an applicant is given when leaving the group out costs points.
 */

/** What the borrower may declare: the profile's fields, and the activity of a wallet they link. */
export type Declared = { profile: ScoringProfile; wallet: WalletActivityInputs | null };

/** Values at which an engine's score can change, in `ScoreInputs` units (years, currency a month, ratios). */
export type ProbePoints = Partial<
  Record<
    | "age"
    | "monthlyIncome"
    | "debtToIncome"
    | "dependants"
    | "openCreditLines"
    | "realEstateLoans"
    | "creditHistoryYears"
    | "recentInquiries"
    | "walletAgeDays"
    | "walletTxCount",
    readonly number[]
  >
>;

export type WorstCaseSettings = {
  /** PROFILE_MAX_ANNUAL_INCOME: the declarable range of income (and of monthly debts, a twelfth of it). */
  maxAnnualIncomeCents: number;
  /** The calculation's day: a filled-in age becomes a date of birth on it. */
  at: Date;
  probes?: ProbePoints;
};

export type Fill = (declared: Declared) => Declared;

/** One set of inputs searched together, with the reason an applicant is given when leaving it out costs points. */
export type Group = {
  id: string;
  missing(declared: Declared): boolean;
  candidates(declared: Declared, settings: WorstCaseSettings): Fill[];
  /** Null for a protected characteristic (age): never named as a reason. */
  reason(declared: Declared): ReasonText | null;
};

type ReasonText = { code: string; description: string };

const MAX_COUNT = 1000;
const MAX_YEARS = 100;
const MIN_AGE = 18;
const MAX_AGE = 120;

/**
 * Every count worth trying from `min` to `max`. With the engine's points (a split "below t" and "t or more"),
 * the whole numbers on both sides of each and the two ends: one value at each end of every interval the points
 * make, which is exact for an engine that only changes there, and no two values alike in between. Without
 * them, `min` … `dense`, then a few larger values up to `max`.
 */
function counts(dense: number, max: number, probes?: readonly number[], min = 0): number[] {
  const values = new Set<number>([min, max]);
  if (probes) {
    for (const p of probes) {
      for (const n of [Math.ceil(p) - 1, Math.ceil(p)]) if (n >= min && n <= max) values.add(n);
    }
  } else {
    for (let n = min; n <= dense; n++) values.add(n);
    for (const n of [dense * 2, dense * 5]) if (n <= max) values.add(n);
  }
  return [...values].sort((a, b) => a - b);
}

/** `from` to `to`, each point `factor` times the last. */
function geometric(from: number, to: number, factor: number): number[] {
  const points: number[] = [];
  for (let x = from; x < to; x *= factor) points.push(x);
  points.push(to);
  return points;
}

/** The same in whole cents, as money is declared. */
function geometricCents(from: number, to: number, factor: number): number[] {
  return [...new Set(geometric(from, to, factor).map(Math.round))];
}

const setProfile =
  (changes: Partial<ScoringProfile>): Fill =>
  (declared) => ({ ...declared, profile: { ...declared.profile, ...changes } });

/** The date `age` whole years before `at` (clamped to the month's end): exactly that age on the day. */
function dateOfBirthFor(age: number, at: Date): string {
  const year = at.getUTCFullYear() - age;
  const month = at.getUTCMonth();
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(at.getUTCDate(), last);
  return new Date(Date.UTC(year, month, day)).toISOString().slice(0, 10);
}

/**
 * Annual incomes (cents) worth trying. With the engine's monthly-income cut points, one in each interval they
 * make (a value is in the interval that starts at the cut at or below it), which is exact for an engine that
 * only changes there; without them, a grid over the whole range. Income 0 and a cent a month are the bottom.
 */
function incomeCandidates(settings: WorstCaseSettings): number[] {
  const max = settings.maxAnnualIncomeCents;
  const cuts = settings.probes?.monthlyIncome;
  // monthlyIncome is round(annual / 12) / 100: half a cent above the cut, once rounded, is at or above it.
  const values = cuts
    ? [0, 12, ...cuts.map((monthly) => Math.ceil(monthly * 1200) + 6), max]
    : [0, 12, 1_200, ...geometricCents(120_000, max, 1.5)];
  return [...new Set(values)].filter((cents) => cents >= 0 && cents <= max).sort((a, b) => a - b);
}

/** Debt-to-income ratios worth trying, the same way: the engine's cut points, or a grid from 0 up. */
function ratioCandidates(settings: WorstCaseSettings): number[] {
  const cuts = settings.probes?.debtToIncome;
  const values = cuts ? [0, ...cuts] : [0, ...geometric(0.01, 100_000, 1.4)];
  return [...new Set(values)].filter((ratio) => ratio >= 0).sort((a, b) => a - b);
}

/** The monthly debt (cents) that puts a declared annual income's debt-to-income at or just above `ratio`. */
function debtForRatio(ratio: number, annualIncomeCents: number, maxDebtCents: number): number {
  return Math.min(maxDebtCents, Math.ceil(ratio * Math.round(annualIncomeCents / 12)));
}

const incomeAndDebt: Group = {
  id: "incomeAndDebt",
  missing: ({ profile }) => profile.annualIncomeCents === null || profile.monthlyDebtPaymentsCents === null,
  candidates: ({ profile }, settings) => {
    const maxDebt = Math.floor(settings.maxAnnualIncomeCents / 12);
    const ratios = ratioCandidates(settings);
    const income = profile.annualIncomeCents;
    const debt = profile.monthlyDebtPaymentsCents;
    const pairs: [number | null, number | null][] = [];
    if (income === null && debt === null) {
      for (const annual of incomeCandidates(settings)) {
        // Without income there is no ratio; debts alone still count for some engines.
        const debts = annual === 0 ? [0, 100, maxDebt] : ratios.map((r) => debtForRatio(r, annual, maxDebt));
        for (const monthly of new Set(debts)) pairs.push([annual, monthly]);
      }
    } else if (income === null && debt !== null) {
      // The incomes that put the declared debts' ratio in each ratio interval, and the income intervals.
      const forRatios = ratios
        .filter((r) => r > 0)
        .map((r) => Math.floor(debt / r) * 12)
        .filter((annual) => annual > 0 && annual <= settings.maxAnnualIncomeCents);
      for (const annual of new Set([...incomeCandidates(settings), ...forRatios])) pairs.push([annual, null]);
    } else if (income !== null) {
      const debts = ratios.map((r) => debtForRatio(r, income, maxDebt));
      const grid = settings.probes?.debtToIncome ? [] : [0, ...geometricCents(100, maxDebt, 1.5)];
      for (const monthly of new Set([...debts, ...grid, maxDebt])) pairs.push([null, monthly]);
    }
    return pairs.map(([annual, monthly]) =>
      setProfile({
        ...(annual === null ? {} : { annualIncomeCents: annual }),
        ...(monthly === null ? {} : { monthlyDebtPaymentsCents: monthly }),
      }),
    );
  },
  reason: ({ profile }) =>
    profile.annualIncomeCents === null && profile.monthlyDebtPaymentsCents === null
      ? { code: "P03", description: "Income and monthly debt payments not provided" }
      : profile.annualIncomeCents === null
        ? { code: "P01", description: "Income not provided" }
        : { code: "P02", description: "Monthly debt payments not provided" },
};

const age: Group = {
  id: "age",
  missing: ({ profile }) => profile.dateOfBirth === null,
  candidates: (_declared, settings) =>
    counts(MAX_AGE, MAX_AGE, settings.probes?.age, MIN_AGE).map((years) =>
      setProfile({ dateOfBirth: dateOfBirthFor(years, settings.at) }),
    ),
  reason: () => null,
};

function countGroup(
  field: "dependants" | "openCreditLines" | "realEstateLoans" | "recentInquiries",
  dense: number,
  reason: ReasonText,
): Group {
  return {
    id: field,
    missing: ({ profile }) => profile[field] === null,
    candidates: (_declared, settings) =>
      counts(dense, MAX_COUNT, settings.probes?.[field]).map((n) => setProfile({ [field]: n })),
    reason: () => reason,
  };
}

const creditHistoryYears: Group = {
  id: "creditHistoryYears",
  missing: ({ profile }) => profile.creditHistoryYears === null,
  candidates: (_declared, settings) =>
    counts(MAX_YEARS, MAX_YEARS, settings.probes?.creditHistoryYears).map((years) =>
      setProfile({ creditHistoryYears: years }),
    ),
  reason: () => ({ code: "P07", description: "Length of credit history not provided" }),
};

const wallet: Group = {
  id: "wallet",
  missing: ({ wallet }) => wallet === null || wallet.walletAgeDays === null || wallet.walletTxCount === null,
  candidates: ({ wallet: known }, settings) => {
    const ages =
      known?.walletAgeDays != null
        ? [known.walletAgeDays]
        : counts(0, 36_500, settings.probes?.walletAgeDays);
    const txs =
      known?.walletTxCount != null
        ? [known.walletTxCount]
        : counts(0, 1_000_000, settings.probes?.walletTxCount);
    const grid = (values: number[], extra: number[]) => [...new Set([...values, ...extra])];
    const fills: Fill[] = [];
    for (const walletAgeDays of grid(ages, known?.walletAgeDays != null ? [] : [1, 30, 365, 730, 3650])) {
      for (const walletTxCount of grid(txs, known?.walletTxCount != null ? [] : [1, 10, 100, 10_000])) {
        fills.push((declared) => ({ ...declared, wallet: { walletAgeDays, walletTxCount } }));
      }
    }
    return fills;
  },
  reason: () => ({ code: "P09", description: "Wallet activity not available" }),
};

export const GROUPS: readonly Group[] = [
  incomeAndDebt,
  age,
  countGroup("openCreditLines", 40, { code: "P04", description: "Open credit lines and loans not provided" }),
  countGroup("realEstateLoans", 20, { code: "P05", description: "Real-estate loans not provided" }),
  countGroup("dependants", 20, { code: "P06", description: "Number of dependants not provided" }),
  creditHistoryYears,
  countGroup("recentInquiries", 30, {
    code: "P08",
    description: "Number of recent credit inquiries not provided",
  }),
  wallet,
];

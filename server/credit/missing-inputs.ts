import { scoreBand } from "../score-bands";
import type { Reason, ScoreResult } from "./inputs";
import type { ScoringProfile, WalletActivityInputs } from "./profile-inputs";

/**
 * No gaming the score by leaving inputs out, for any engine.
 *
 * An engine scores a missing input however its model says (the scorecard gives some an average weight of
 * evidence, a tree model sends them down whichever branch training chose). That can make "not provided" score
 * better than a bad value: leaving income out when the debt-to-income is poor. So, at the level of what the
 * borrower declares (the profile's fields, and the activity of a wallet they link), a missing input is scored
 * as the worst value they could have declared for it, over every feature that reads it: the engine is asked
 * with candidate values filled in and the lowest score stands, unless the engine's own answer is lower still.
 *
 * The candidates cover each input's whole declarable range (its bounds, a dense grid between, and the
 * engine's own cut points when it gives them: `ProbePoints`), so for an engine whose score is monotone or
 * piecewise constant between the points it names, the minimum found is the true one. Inputs that act
 * together (income and debt, through debt-to-income) are searched jointly; separate inputs one after the
 * other, repeated until nothing improves (exact for additive engines such as the scorecard and the rules).
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

type Fill = (declared: Declared) => Declared;

/** One set of inputs searched together, with the reason an applicant is given when leaving it out costs points. */
type Group = {
  id: string;
  missing(declared: Declared): boolean;
  candidates(declared: Declared, settings: WorstCaseSettings): Fill[];
  /** Null for a protected characteristic (age): never named as a reason. */
  reason(declared: Declared): ReasonText | null;
};

type ReasonText = { code: string; description: string };

const MAX_COUNT = 1000;
const MAX_YEARS = 100;

/**
 * 0, 1 … `dense`, then a few larger values up to `max`, and the whole numbers on both sides of each of the
 * engine's points (a split "below t" and "t or more"): every count worth trying.
 */
function counts(dense: number, max: number, probes: readonly number[] = []): number[] {
  const values = new Set<number>();
  for (let n = 0; n <= dense; n++) values.add(n);
  for (const n of [dense * 2, dense * 5, max]) if (n <= max) values.add(n);
  for (const p of probes) {
    for (const n of [Math.ceil(p) - 1, Math.ceil(p)]) if (n >= 0 && n <= max) values.add(n);
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
  candidates: (_declared, settings) => {
    const ages = new Set<number>();
    for (let years = 18; years <= 120; years++) ages.add(years);
    return [...ages].map((years) => setProfile({ dateOfBirth: dateOfBirthFor(years, settings.at) }));
  },
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

const GROUPS: readonly Group[] = [
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

const MAX_PASSES = 3;
const MAX_REASONS = 4;

/** An engine over what the borrower declared: its full answer, and its score alone for the search. */
export type DeclaredScorer = {
  score: (declared: Declared) => ScoreResult;
  predict: (declared: Declared) => number;
};

/**
 * Scores what the borrower declared with any engine, a missing input counting as the worst value they could
 * have declared for it. The answer is the engine's own when that is already as low; otherwise the worst case's
 * score, with its reasons, each reason that comes from a filled-in input named as that input "not provided"
 * (never age). `missingInputs` stays the engine's: what was actually missing.
 */
export function scoreMissingAsWorst(
  engine: DeclaredScorer,
  declared: Declared,
  settings: WorstCaseSettings,
): ScoreResult {
  const native = engine.score(declared);
  const missing = GROUPS.filter((group) => group.missing(declared));
  if (missing.length === 0) return native;

  const chosen = new Map<string, Fill>();
  const candidates = new Map(missing.map((group) => [group.id, group.candidates(declared, settings)]));
  const apply = (except?: string) =>
    [...chosen].reduce((current, [id, fill]) => (id === except ? current : fill(current)), declared);
  // Smallest searches first; a group is searched again only when another group's value changed since.
  const order = [...missing].sort(
    (a, b) => (candidates.get(a.id)?.length ?? 0) - (candidates.get(b.id)?.length ?? 0),
  );
  const stale = new Set(order.map((group) => group.id));
  // A group stays missing (the engine's own treatment) unless some declarable value of it scores lower.
  let lowest = native.score;
  for (let pass = 0; pass < MAX_PASSES && stale.size > 0; pass++) {
    for (const group of order) {
      if (!stale.delete(group.id)) continue;
      const others = apply(group.id);
      let changed = false;
      for (const fill of candidates.get(group.id) ?? []) {
        const score = engine.predict(fill(others));
        if (score < lowest) {
          lowest = score;
          chosen.set(group.id, fill);
          changed = true;
        }
      }
      if (changed) for (const other of order) if (other !== group) stale.add(other.id);
    }
  }
  if (chosen.size === 0) return native;
  const worst = engine.score(apply());

  // A reason depends on a filled-in group when leaving that group out again changes or removes it.
  const filled = missing.filter((group) => chosen.has(group.id));
  const without = new Map(filled.map((group) => [group.id, engine.score(apply(group.id)).reasons]));
  const reasons = new Map<string, Reason>();
  for (const reason of worst.reasons) {
    const source = filled.find((group) => {
      const other = without.get(group.id)?.find((item) => item.code === reason.code);
      return other?.impact !== reason.impact;
    });
    const named = source ? source.reason(declared) : { code: reason.code, description: reason.description };
    if (!named) continue;
    const known = reasons.get(named.code);
    reasons.set(named.code, { ...named, impact: (known?.impact ?? 0) + reason.impact });
  }
  const ordered = [...reasons.values()].sort((a, b) => b.impact - a.impact || (a.code < b.code ? -1 : 1));
  return {
    ...worst,
    band: scoreBand(worst.score),
    reasons: ordered.slice(0, MAX_REASONS),
    missingInputs: native.missingInputs,
  };
}

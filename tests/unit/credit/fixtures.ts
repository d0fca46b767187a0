import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ScoreInputs } from "../../../server/credit/inputs.ts";
import { type CreditDataset, readCreditDataset } from "../../../server/credit/scorecard/csv.ts";
import { mulberry32 } from "../../../server/credit/scorecard/split.ts";

/** The real training file, next to the repository; tests that need it skip (saying so) when it is absent. */
export const DATA_PATH = join(import.meta.dir, "..", "..", "..", "..", "shared", "data", "cs-training.csv");
export const HAS_DATA = existsSync(DATA_PATH);
if (!HAS_DATA) console.warn(`credit tests: ${DATA_PATH} is absent, skipping the tests on the real data`);

let cached: Promise<CreditDataset> | null = null;
/** Read once per test run, shared by every file that needs it. */
export function realDataset(): Promise<CreditDataset> {
  cached ??= readCreditDataset(DATA_PATH);
  return cached;
}

export const CLEAN_PROFILE: ScoreInputs = {
  age: 45,
  monthlyIncome: 6000,
  monthlyDebtPayments: 1500,
  revolvingUtilization: 0.2,
  openCreditLines: 8,
  realEstateLoans: 1,
  dependants: 1,
  pastDue30to59: 0,
  pastDue60to89: 0,
  pastDue90Plus: 0,
  creditHistoryYears: 12,
  recentInquiries: 1,
  walletAgeDays: 400,
  walletTxCount: 120,
};

/** Seeded random profiles spanning every bin, with some optional inputs left out. */
export function randomProfiles(count: number, seed = 7): ScoreInputs[] {
  const random = mulberry32(seed);
  const int = (max: number) => Math.floor(random() * (max + 1));
  const maybe = <T>(value: T): T | null => (random() < 0.15 ? null : value);
  const profiles: ScoreInputs[] = [];
  for (let i = 0; i < count; i++) {
    profiles.push({
      age: maybe(18 + int(90)),
      monthlyIncome: maybe(random() < 0.05 ? 0 : Math.round(random() * 20_000)),
      monthlyDebtPayments: maybe(Math.round(random() * 6000)),
      revolvingUtilization: random() < 0.1 ? random() * 3 : random(),
      openCreditLines: maybe(int(25)),
      realEstateLoans: maybe(int(5)),
      dependants: maybe(int(6)),
      pastDue30to59: random() < 0.7 ? 0 : int(6),
      pastDue60to89: random() < 0.8 ? 0 : int(4),
      pastDue90Plus: random() < 0.8 ? 0 : int(4),
      creditHistoryYears: maybe(random() * 30),
      recentInquiries: maybe(int(10)),
      walletAgeDays: maybe(int(2000)),
      walletTxCount: maybe(int(5000)),
    });
  }
  return profiles;
}

/** A synthetic portfolio whose risk rises with late payments and utilisation and falls with age. */
export function syntheticDataset(rows: number, seed: number): CreditDataset {
  const random = mulberry32(seed);
  const inputs: ScoreInputs[] = [];
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const late = random() < 0.8 ? 0 : Math.floor(random() * 4);
    const utilization = random() * 1.2;
    const age = 21 + Math.floor(random() * 70);
    const income = random() < 0.2 ? null : Math.round(1000 + random() * 12_000);
    const logit = -3.2 + 0.9 * late + 2 * utilization - 0.02 * (age - 45) - (income ?? 4000) / 20_000;
    labels[i] = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    inputs.push({
      ...CLEAN_PROFILE,
      age,
      monthlyIncome: income,
      monthlyDebtPayments: income === null ? null : Math.round(random() * income * 0.6),
      revolvingUtilization: utilization,
      openCreditLines: Math.floor(random() * 15),
      realEstateLoans: Math.floor(random() * 3),
      dependants: Math.floor(random() * 4),
      pastDue30to59: late,
      pastDue60to89: random() < 0.9 ? 0 : 1,
      pastDue90Plus: late > 1 ? late - 1 : 0,
    });
  }
  return {
    fileName: "synthetic.csv",
    sha256: "0".repeat(64),
    bytes: 0,
    inputs,
    labels,
    quirks: {
      pastDueSentinelRows: 0,
      ageZeroRows: 0,
      incomeMissingRows: 0,
      incomeZeroRows: 0,
      dependantsMissingRows: 0,
      utilizationCappedRows: 0,
      duplicateRows: 0,
    },
  };
}

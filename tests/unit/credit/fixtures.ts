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

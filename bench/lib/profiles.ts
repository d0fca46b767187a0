import type { ScoreInputs } from "../../server/credit/inputs.ts";
import { mulberry32 } from "../../server/credit/scorecard/split.ts";

/** Varied seeded profiles for the inference benchmarks: every input, some optional ones unknown. */
export function profiles(count: number): ScoreInputs[] {
  const random = mulberry32(1);
  const int = (max: number) => Math.floor(random() * (max + 1));
  const maybe = <T>(value: T): T | null => (random() < 0.1 ? null : value);
  return Array.from({ length: count }, () => ({
    age: maybe(18 + int(80)),
    monthlyIncome: maybe(Math.round(random() * 15_000)),
    monthlyDebtPayments: maybe(Math.round(random() * 4000)),
    revolvingUtilization: random() * 1.2,
    openCreditLines: maybe(int(20)),
    realEstateLoans: maybe(int(4)),
    dependants: maybe(int(5)),
    pastDue30to59: random() < 0.8 ? 0 : int(4),
    pastDue60to89: random() < 0.9 ? 0 : int(3),
    pastDue90Plus: random() < 0.9 ? 0 : int(3),
    creditHistoryYears: maybe(random() * 30),
    recentInquiries: maybe(int(8)),
    walletAgeDays: maybe(int(1500)),
    walletTxCount: maybe(int(3000)),
  }));
}

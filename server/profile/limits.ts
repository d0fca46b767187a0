import type { Config } from "../config";
import { invalidInput } from "../errors";
import { formatMoney } from "../money";

/** The largest money a profile may declare: nobody earns more than this, and a month's debts are a twelfth of it. */
export type ProfileLimits = { maxAnnualIncomeCents: number };

export function profileLimits(config: Pick<Config, "PROFILE_MAX_ANNUAL_INCOME">): ProfileLimits {
  return { maxAnnualIncomeCents: config.PROFILE_MAX_ANNUAL_INCOME };
}

/**
 * Refuses implausible declared amounts (400 naming the field): an income of 90,071,992,547,409.91 is not a
 * typo to score, it is an attempt to make every ratio look excellent.
 */
export function checkDeclaredMoney(
  limits: ProfileLimits,
  declared: { annualIncome?: number | null; monthlyDebtPayments?: number | null },
): void {
  const caps = [
    ["annualIncome", declared.annualIncome, limits.maxAnnualIncomeCents],
    ["monthlyDebtPayments", declared.monthlyDebtPayments, Math.floor(limits.maxAnnualIncomeCents / 12)],
  ] as const;
  for (const [field, value, cap] of caps) {
    if (value != null && value > cap) {
      throw invalidInput("VALUE_TOO_LARGE", `${field} must be at most ${formatMoney(cap)}`, { field });
    }
  }
}

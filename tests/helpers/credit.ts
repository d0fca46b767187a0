import { eq } from "drizzle-orm";
import { type UserRole, users } from "../../db/schema";
import type { AppDeps } from "../../server/context";

/** A complete financial profile, in the profile's own formats, as a client sends it. */
export const FULL_PROFILE = {
  dateOfBirth: "1980-03-15",
  dependants: 1,
  annualIncome: "72000.00",
  monthlyDebtPayments: "1500.00",
  employmentStatus: "employed",
  employmentYears: 8,
  housing: "mortgage",
  openCreditLines: 8,
  realEstateLoans: 1,
  revolvingUtilizationPercent: 20,
  pastDue30to59: 0,
  pastDue60to89: 0,
  pastDue90Plus: 0,
  creditHistoryYears: 12,
  recentInquiries: 1,
} as const;

/** Grants a role straight in the database (the admin procedure is another domain's). */
export async function setRole(deps: AppDeps, userId: string, role: UserRole): Promise<void> {
  await deps.db.update(users).set({ role }).where(eq(users.id, userId));
}

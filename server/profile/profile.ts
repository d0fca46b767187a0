import { eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type FinancialProfile, financialProfiles, users } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import { type PublicUser, publicUserColumns } from "../auth/session";
import { notFound } from "../errors";
import { formatMoney } from "../money";
import { checkDeclaredMoney, type ProfileLimits } from "./limits";
import type { FinancialProfileView, ProfilePatch } from "./schemas";

const toNumber = (value: string | null): number | null => (value === null ? null : Number(value));
const toDecimal = (value: number | null | undefined): string | null | undefined =>
  value === undefined ? undefined : value === null ? null : String(value);

export function toProfileView(row: FinancialProfile): FinancialProfileView {
  return {
    dateOfBirth: row.dateOfBirth,
    dependants: row.dependants,
    annualIncome: row.annualIncomeCents === null ? null : formatMoney(row.annualIncomeCents),
    monthlyDebtPayments:
      row.monthlyDebtPaymentsCents === null ? null : formatMoney(row.monthlyDebtPaymentsCents),
    employmentStatus: row.employmentStatus,
    employmentYears: toNumber(row.employmentYears),
    housing: row.housing,
    openCreditLines: row.openCreditLines,
    realEstateLoans: row.realEstateLoans,
    revolvingUtilizationPercent: toNumber(row.revolvingUtilizationPercent),
    pastDue30to59: row.pastDue30to59,
    pastDue60to89: row.pastDue60to89,
    pastDue90Plus: row.pastDue90Plus,
    creditHistoryYears: toNumber(row.creditHistoryYears),
    recentInquiries: row.recentInquiries,
    annualIncomeVerified: row.annualIncomeCents !== null && row.incomeVerifiedCents === row.annualIncomeCents,
    walletAddress: row.walletAddress,
    phoneNumber: row.phoneNumber,
    updatedAt: row.updatedAt,
  };
}

/** Built once per database handle: the profile read is on the path of every profile request. */
const profileLookups = new WeakMap<Database, ReturnType<typeof buildProfileLookup>>();

function buildProfileLookup(db: Database) {
  return db
    .select()
    .from(financialProfiles)
    .where(eq(financialProfiles.userId, sql.placeholder("userId")))
    .prepare("blockscore_profile_by_user");
}

export async function getFinancialProfile(db: Database, userId: string): Promise<FinancialProfile> {
  let lookup = profileLookups.get(db);
  if (!lookup) {
    lookup = buildProfileLookup(db);
    profileLookups.set(db, lookup);
  }
  const [row] = await lookup.execute({ userId });
  if (row) return row;
  const [created] = await db.insert(financialProfiles).values({ userId }).onConflictDoNothing().returning();
  if (created) return created;
  return getFinancialProfile(db, userId);
}

export type ProfileWithUser = { user: PublicUser; profile: FinancialProfileView };

export async function getProfile(db: Database, user: PublicUser): Promise<ProfileWithUser> {
  return { user, profile: toProfileView(await getFinancialProfile(db, user.id)) };
}

/**
 * Applies only the fields present in the patch; an explicit null clears a field. Declared money is capped at
 * plausible values (400 VALUE_TOO_LARGE naming the field).
 */
export async function updateProfile(
  db: Database,
  meta: RequestMeta,
  userId: string,
  patch: ProfilePatch,
  limits: ProfileLimits,
): Promise<ProfileWithUser> {
  checkDeclaredMoney(limits, patch);
  const {
    name,
    annualIncome,
    monthlyDebtPayments,
    employmentYears,
    revolvingUtilizationPercent,
    creditHistoryYears,
    ...counts
  } = patch;
  const changes = {
    ...counts,
    annualIncomeCents: annualIncome,
    monthlyDebtPaymentsCents: monthlyDebtPayments,
    employmentYears: toDecimal(employmentYears),
    revolvingUtilizationPercent: toDecimal(revolvingUtilizationPercent),
    creditHistoryYears: toDecimal(creditHistoryYears),
  };
  return db.transaction(async (tx) => {
    await getFinancialProfile(tx, userId);
    const [profile] = await tx
      .update(financialProfiles)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(financialProfiles.userId, userId))
      .returning();
    const [user] = await tx
      .update(users)
      .set(name === undefined ? { updatedAt: new Date() } : { name, updatedAt: new Date() })
      .where(eq(users.id, userId))
      .returning(publicUserColumns);
    if (!profile || !user) throw notFound("Profile");
    await appendAudit(tx, meta, {
      action: "profile.update",
      subjectType: "user",
      subjectId: userId,
      details: { fields: Object.keys(patch).sort() },
    });
    return { user, profile: toProfileView(profile) };
  });
}

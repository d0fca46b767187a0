import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { financialProfiles } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import { conflict, forbidden, notFound } from "../errors";
import { formatMoney } from "../money";

export type IncomeVerificationParams = {
  userId: string;
  /** The annual income the reviewer saw evidenced: it must be what the profile declares now. */
  annualIncomeCents: number;
  /** What was checked (payslips, tax return…); audited. */
  evidence: string;
};

export type IncomeVerification = {
  userId: string;
  annualIncome: string;
  verifiedAt: Date;
  verifiedBy: string;
};

/**
 * An underwriter or admin marks a borrower's declared annual income as verified against evidence, audited in
 * the same transaction. The verification vouches for that amount only: the reviewer names it, it must equal the
 * declared income (409 INCOME_CHANGED otherwise), and a later change of the income leaves it unverified.
 * Nobody verifies their own income.
 */
export async function verifyIncome(
  db: Database,
  meta: RequestMeta & { actorId: string },
  params: IncomeVerificationParams,
): Promise<IncomeVerification> {
  if (meta.actorId === params.userId) throw forbidden("You cannot verify your own income");
  return db.transaction(async (tx) => {
    const [profile] = await tx
      .select()
      .from(financialProfiles)
      .where(eq(financialProfiles.userId, params.userId))
      .for("update");
    if (!profile) throw notFound("Profile");
    if (profile.annualIncomeCents !== params.annualIncomeCents) {
      const declared =
        profile.annualIncomeCents === null ? "no income" : formatMoney(profile.annualIncomeCents);
      throw conflict(
        "INCOME_CHANGED",
        `The profile declares ${declared}, not ${formatMoney(params.annualIncomeCents)}; verify what it declares`,
        { declared: profile.annualIncomeCents === null ? null : formatMoney(profile.annualIncomeCents) },
      );
    }
    const verifiedAt = new Date();
    await tx
      .update(financialProfiles)
      .set({
        incomeVerifiedCents: params.annualIncomeCents,
        incomeVerifiedAt: verifiedAt,
        incomeVerifiedBy: meta.actorId,
      })
      .where(eq(financialProfiles.userId, params.userId));
    await appendAudit(tx, meta, {
      action: "profile.income_verified",
      subjectType: "user",
      subjectId: params.userId,
      details: { annualIncomeCents: params.annualIncomeCents, evidence: params.evidence },
    });
    return {
      userId: params.userId,
      annualIncome: formatMoney(params.annualIncomeCents),
      verifiedAt,
      verifiedBy: meta.actorId,
    };
  });
}

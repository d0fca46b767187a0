import { and, count, eq, inArray, sum } from "drizzle-orm";
import type { Database } from "../../db/client";
import { financialProfiles, loanRefusals, loans, users } from "../../db/schema";
import type { ScheduleType } from "../../db/schema/loan-values";
import { appendAudit, type RequestMeta } from "../audit/log";
import type { Outbox } from "../chain/outbox";
import { riskLevelOf } from "../compliance/aml/monitoring";
import { kycStatusOf } from "../compliance/kyc-queries";
import { latestScore } from "../credit/history";
import { DomainError, notFound, unprocessable } from "../errors";
import { issueRefusalNotice } from "./adverse-action";
import { checkEligibility, type EligibilityCode, type EligibilityInput, NOT_ELIGIBLE } from "./eligibility";
import { requestHash, runIdempotent } from "./idempotency";
import { productForLoan } from "./products/service";
import { type LoanView, storedLoanSchema } from "./schemas";
import type { LoanSettings } from "./settings";
import { openApplicationStatuses } from "./status";
import { checkTermLimits, priceForScore, priceLoan } from "./terms";
import { toLoanView } from "./views";
import { recordTransition } from "./workflow";

export type ApplyParams = {
  userId: string;
  idempotencyKey: string;
  /** Omitted: the default product. */
  productId?: string;
  amountCents: number;
  termMonths: number;
  purpose: string;
  /** Omitted: the product's. */
  scheduleType?: ScheduleType;
  now?: Date;
};

/** Loans whose payments the applicant owes or may soon owe: they count as debt in the affordability check. */
const committedStatuses = ["submitted", "approved", "disbursed"] as const;

/** Everything eligibility.ts reads, gathered in the application's transaction. */
async function eligibilityFacts(
  tx: Database,
  userId: string,
  now: Date,
): Promise<Omit<EligibilityInput, "newPaymentCents" | "latestScore"> & { platformPaymentsCents: number }> {
  const [profile] = await tx
    .select({
      annual: financialProfiles.annualIncomeCents,
      verified: financialProfiles.incomeVerifiedCents,
      debts: financialProfiles.monthlyDebtPaymentsCents,
    })
    .from(financialProfiles)
    .where(eq(financialProfiles.userId, userId));
  const [open] = await tx
    .select({ n: count() })
    .from(loans)
    .where(and(eq(loans.userId, userId), inArray(loans.status, [...openApplicationStatuses])));
  const [defaulted] = await tx
    .select({ n: count() })
    .from(loans)
    .where(and(eq(loans.userId, userId), eq(loans.status, "defaulted")));
  const [committed] = await tx
    .select({ cents: sum(loans.monthlyPaymentCents) })
    .from(loans)
    .where(and(eq(loans.userId, userId), inArray(loans.status, [...committedStatuses])));
  const platformPaymentsCents = Number(committed?.cents ?? 0);
  return {
    kycStatus: await kycStatusOf(tx, userId),
    amlRiskLevel: await riskLevelOf(tx, userId),
    now,
    monthlyIncomeCents: profile?.annual == null ? null : Math.floor(profile.annual / 12),
    annualIncomeCents: profile?.annual ?? null,
    incomeVerified: profile?.annual != null && profile.verified === profile.annual,
    existingMonthlyDebtCents: (profile?.debts ?? 0) + platformPaymentsCents,
    hasDefaultedLoan: (defaulted?.n ?? 0) > 0,
    openApplications: open?.n ?? 0,
    platformPaymentsCents,
  };
}

/** A refusal raised inside the application's transaction, recorded once that transaction has rolled back. */
class Refused extends Error {
  constructor(
    readonly code: EligibilityCode,
    readonly reason: string,
    readonly disclosed: boolean,
    readonly scoreId: string | null,
  ) {
    super(reason);
  }
}

/**
 * Keeps a refused application (nothing else of it is stored) with its real code, audited, and answers the
 * applicant: the code and reason, or NOT_ELIGIBLE for a reason they are not told (AML risk). A refusal for a
 * credit reason also issues an adverse-action notice, kept and carried in the answer's `details.notice`.
 */
async function recordRefusal(
  db: Database,
  meta: RequestMeta,
  settings: LoanSettings,
  params: ApplyParams,
  refused: Refused,
) {
  const disclosedCode = refused.disclosed ? refused.code : NOT_ELIGIBLE.code;
  const now = params.now ?? new Date();
  const notice = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(loanRefusals)
      .values({
        userId: params.userId,
        code: refused.code,
        reason: refused.reason,
        disclosedCode,
        amountCents: params.amountCents,
        termMonths: params.termMonths,
      })
      .returning({ id: loanRefusals.id });
    if (!row) throw new Error("loan refusal insert returned no row");
    const issued = refused.disclosed
      ? await issueRefusalNotice(tx, settings, {
          userId: params.userId,
          refusalId: row.id,
          code: refused.code,
          amountCents: params.amountCents,
          termMonths: params.termMonths,
          scoreId: refused.scoreId,
          now,
        })
      : null;
    await appendAudit(tx, meta, {
      action: "loan.application_refused",
      subjectType: "user",
      subjectId: params.userId,
      details: {
        refusalId: row.id,
        code: refused.code,
        disclosedCode,
        amountCents: params.amountCents,
        noticeId: issued?.id ?? null,
      },
    });
    return issued;
  });
  if (!refused.disclosed) return unprocessable(NOT_ELIGIBLE.code, NOT_ELIGIBLE.reason);
  return unprocessable(refused.code, refused.reason, notice ? { notice } : undefined);
}

/**
 * Applies for a loan, once per idempotency key, under a product's current version (the default product without a
 * productId), which the loan keeps for life. The APR is priced from the applicant's latest score by the product's
 * table and its origination fee charged as the product says; every eligibility rule is checked, with the
 * product's score floor and debt-to-income ceiling (the first refusal is a 422 with its code and a plain reason,
 * or NOT_ELIGIBLE for an undisclosed one; refusals are kept for underwriters); the loan is stored as `submitted`
 * with its transition, audit entry and chain record. The user's row is locked for the transaction, so two
 * applications of one user (under different keys) are counted one after the other.
 */
export async function applyForLoan(
  db: Database,
  meta: RequestMeta,
  deps: { settings: LoanSettings; outbox: Outbox },
  params: ApplyParams,
): Promise<{ loan: LoanView; replayed: boolean }> {
  const { settings } = deps;
  const now = params.now ?? new Date();
  const request = {
    productId: params.productId ?? null,
    amountCents: params.amountCents,
    termMonths: params.termMonths,
    purpose: params.purpose,
    scheduleType: params.scheduleType ?? null,
  };
  const call = {
    userId: params.userId,
    scope: "loans.apply",
    key: params.idempotencyKey,
    requestHash: requestHash(request),
    ttlHours: settings.idempotencyTtlHours,
  };
  const codec = { read: (stored: unknown) => storedLoanSchema.parse(stored) };
  const attempt = runIdempotent(db, call, codec, async (tx) => {
    const [user] = await tx
      .select({ id: users.id, emailVerifiedAt: users.emailVerifiedAt })
      .from(users)
      .where(eq(users.id, params.userId))
      .for("update");
    if (!user) throw notFound("User");
    if (!user.emailVerifiedAt) {
      throw new DomainError(
        "forbidden",
        "EMAIL_NOT_VERIFIED",
        "Verify your email address before applying (POST /api/auth/email/verify with the token sent to it)",
      );
    }
    const { version } = await productForLoan(tx, deps, { productId: params.productId });
    checkTermLimits(version, params.amountCents, params.termMonths);
    const facts = await eligibilityFacts(tx, params.userId, now);
    const score = await latestScore(tx, params.userId);
    const aprBasisPoints = score ? priceForScore(version, score) : 0;
    const priced = priceLoan(version, {
      amountCents: params.amountCents,
      termMonths: params.termMonths,
      scheduleType: params.scheduleType,
      aprBasisPoints,
      startDate: now,
    });
    const verdict = checkEligibility(
      {
        ...facts,
        latestScore: score,
        newPaymentCents: priced.schedule.monthlyPaymentCents,
      },
      {
        ...settings.eligibility,
        scoreFloor: version.scoreFloor,
        maxDebtToIncome: version.maxDtiBasisPoints / 10_000,
      },
    );
    if (!verdict.eligible)
      throw new Refused(verdict.code, verdict.reason, verdict.disclosed, score?.id ?? null);

    const [loan] = await tx
      .insert(loans)
      .values({
        userId: params.userId,
        status: "submitted",
        amountCents: params.amountCents,
        termMonths: params.termMonths,
        purpose: params.purpose,
        scheduleType: priced.scheduleType,
        aprBasisPoints,
        monthlyPaymentCents: priced.schedule.monthlyPaymentCents,
        scoreId: score?.id ?? null,
        score: score?.score ?? null,
        productId: version.productId,
        productVersion: version.version,
        originationFeeCents: priced.originationFeeCents,
        originationFeeFinanced: priced.originationFeeFinanced,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!loan) throw new Error("loan insert returned no row");
    await recordTransition(tx, meta, deps.outbox, loan, {
      from: null,
      to: "submitted",
      actorId: params.userId,
      reason: null,
      now,
    });
    return toLoanView(loan);
  });
  try {
    const { value, replayed } = await attempt;
    return { loan: value, replayed };
  } catch (error) {
    if (error instanceof Refused) throw await recordRefusal(db, meta, settings, params, error);
    throw error;
  }
}

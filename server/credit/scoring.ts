import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type CreditScore, creditScores, financialProfiles } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import type { Jobs } from "../jobs/jobs";
import { checkDeclaredMoney, type ProfileLimits } from "../profile/limits";
import { emitEvent } from "../webhooks/events";
import { type LoadedEngine, scoringEngine } from "./engine";
import { requiredInputs, type ScoreResult } from "./inputs";
import { type Declared, scoreMissingAsWorst } from "./missing-inputs";
import { EMPTY_PAYMENT_RECORD, type PaymentRecord, platformPaymentRecord } from "./payment-record";
import {
  insufficientData,
  profileToInputs,
  scoringProfileFromRow,
  type WalletActivityProvider,
} from "./profile-inputs";
import type { CalculatedScore, SimulatedScore, SimulateInput } from "./schemas";

/** What scoring needs from start-up: the loaded engine and the chain reader. */
export type ScoringDeps = {
  scoring: LoadedEngine;
  /** The declarable range of money (PROFILE_MAX_ANNUAL_INCOME): refused above it, searched within it. */
  limits: ProfileLimits;
  walletActivity?: WalletActivityProvider | null;
  /** The job queue the score.calculated webhook deliveries go through, in the score's transaction. */
  jobs?: Jobs | null;
};

export type CalculateScoreParams = ScoringDeps & {
  /**
   * Runs inside the transaction that stores the score, after the row and its audit entry: whatever it writes
   * (the chain outbox's anchor job) commits with the score or not at all. A throw rolls the score back.
   */
  onStored?: (tx: Database, stored: CreditScore) => Promise<void>;
  /** The calculation's clock (age is counted on it); now by default. */
  now?: Date;
};

/**
 * The configured engine's score of what the borrower declared, with the platform record, as of `at`. A
 * profile missing an essential input is refused (INSUFFICIENT_DATA); any other missing input scores as the
 * worst value the borrower could have declared for it (missing-inputs.ts), whatever the engine.
 */
export function scoreDeclared(
  declared: Declared,
  record: PaymentRecord,
  at: Date,
  deps: ScoringDeps,
): ScoreResult {
  const missing = requiredInputs(profileToInputs(declared.profile, record, declared.wallet, at));
  if (missing.length > 0) throw insufficientData(missing);
  const engine = scoringEngine(deps.scoring);
  const inputsOf = (candidate: Declared) => profileToInputs(candidate.profile, record, candidate.wallet, at);
  return scoreMissingAsWorst(
    {
      score: (candidate) => engine.score(inputsOf(candidate)),
      predict: (candidate) => engine.predict(inputsOf(candidate)),
    },
    declared,
    { maxAnnualIncomeCents: deps.limits.maxAnnualIncomeCents, at, probes: engine.probes },
  );
}

/**
 * Scores the user's stored financial profile with their platform repayment record and on-chain activity,
 * stores the result with its inputs snapshot and audits it, in one transaction. A profile missing an
 * essential input is refused with INSUFFICIENT_DATA naming the fields, and nothing is stored.
 */
export async function calculateScore(
  db: Database,
  params: CalculateScoreParams,
  meta: RequestMeta,
  userId: string,
): Promise<CalculatedScore> {
  const now = params.now ?? new Date();
  const [row] = await db.select().from(financialProfiles).where(eq(financialProfiles.userId, userId));
  const profile = scoringProfileFromRow(row);
  const record = await platformPaymentRecord(db, userId);
  // Refuse before asking the chain anything: the essentials never come from there.
  const missing = requiredInputs(profileToInputs(profile, record, null, now));
  if (missing.length > 0) throw insufficientData(missing);
  // A chain that fails to answer leaves the wallet inputs unknown rather than failing the calculation.
  const wallet = params.walletActivity ? await params.walletActivity(userId).catch(() => null) : null;
  const inputs = profileToInputs(profile, record, wallet, now);
  const result = scoreDeclared({ profile, wallet }, record, now, params);

  return db.transaction(async (tx) => {
    const [stored] = await tx
      .insert(creditScores)
      .values({ userId, ...result, inputs, calculatedAt: now })
      .returning();
    if (!stored) throw new Error("credit score insert returned no row");
    await appendAudit(tx, meta, {
      action: "credit.calculate",
      subjectType: "credit_score",
      subjectId: stored.id,
      details: { userId, score: stored.score, engine: stored.engine, modelVersion: stored.modelVersion },
    });
    await params.onStored?.(tx, stored);
    await emitEvent(tx, params, {
      type: "score.calculated",
      orderKey: `user:${userId}`,
      payload: {
        userId,
        scoreId: stored.id,
        score: stored.score,
        modelVersion: stored.modelVersion,
        at: now.toISOString(),
      },
    });
    return toCalculatedScore(stored);
  });
}

export function toCalculatedScore(row: CreditScore): CalculatedScore {
  return {
    id: row.id,
    score: row.score,
    band: row.band,
    probabilityOfDefault: row.probabilityOfDefault,
    engine: row.engine,
    modelVersion: row.modelVersion,
    reasons: row.reasons,
    missingInputs: row.missingInputs,
    calculatedAt: row.calculatedAt,
  };
}

/**
 * Scores a hypothetical profile (the profile's fields; omitted means unknown) with the server's engine and
 * stores nothing. The platform record and the chain are not read: the caller supposes everything. The same
 * limits and the same rule for missing inputs apply as to a stored profile.
 */
export function simulateScore(
  input: SimulateInput,
  deps: ScoringDeps,
  now: Date = new Date(),
): SimulatedScore {
  checkDeclaredMoney(deps.limits, input);
  const profile = {
    dateOfBirth: input.dateOfBirth ?? null,
    annualIncomeCents: input.annualIncome ?? null,
    monthlyDebtPaymentsCents: input.monthlyDebtPayments ?? null,
    revolvingUtilizationPercent: input.revolvingUtilizationPercent ?? null,
    openCreditLines: input.openCreditLines ?? null,
    realEstateLoans: input.realEstateLoans ?? null,
    dependants: input.dependants ?? null,
    pastDue30to59: input.pastDue30to59 ?? null,
    pastDue60to89: input.pastDue60to89 ?? null,
    pastDue90Plus: input.pastDue90Plus ?? null,
    creditHistoryYears: input.creditHistoryYears ?? null,
    recentInquiries: input.recentInquiries ?? null,
  };
  const wallet = { walletAgeDays: input.walletAgeDays ?? null, walletTxCount: input.walletTxCount ?? null };
  return { ...scoreDeclared({ profile, wallet }, EMPTY_PAYMENT_RECORD, now, deps), calculatedAt: now };
}

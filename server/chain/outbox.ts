import { and, desc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { Hex } from "viem";
import type { Database } from "../../db/client";
import type { CreditScore } from "../../db/schema";
import {
  chainSubjects,
  chainTransactions,
  creditScores,
  financialProfiles,
  scoreAnchors,
} from "../../db/schema";
import type { LoanStatus } from "../../db/schema/loan-values";
import type { Jobs } from "../jobs/jobs";
import { auditHeadBytes } from "./audit-anchor";
import type { ChainService } from "./connection";
import { loanStatusCode } from "./loan-registry";
import { encodeModelVersion } from "./score-registry";
import {
  canonicalJson,
  generateSalt,
  type JsonLike,
  loanIdHash,
  scoreRecordHash,
  subjectForUser,
  subjectForWallet,
} from "./subject";

/** What enqueueing needs from the app: both, or anchoring is off (no chain configured). */
export type Outbox = { chain?: ChainService | null; jobs?: Jobs | null };

/** The payload of a publish job: everything the worker sends, so it never reads the domain tables. */
export type PublishJob =
  | {
      kind: "score_anchor";
      transactionId: string;
      subject: Hex;
      score: number;
      recordHash: Hex;
      modelVersion: string;
      /** When the score was calculated, Unix milliseconds: the registry keeps only newer ones as latest. */
      calculatedAt: number;
    }
  | {
      kind: "loan_status";
      transactionId: string;
      loanIdHash: Hex;
      /** Cents as a decimal string (JSON has no bigint). */
      amountCents: string;
      termMonths: number;
      status: LoanStatus;
    }
  | {
      kind: "audit_checkpoint";
      transactionId: string;
      /** The audit entry's sequence number and its hash as bytes32. */
      seq: number;
      head: Hex;
    };

export type EnqueueResult = { queued: true; transactionId: string } | { queued: false; reason: string };

const notConfigured: EnqueueResult = { queued: false, reason: "no blockchain is configured" };

/**
 * The user's pseudonymous-subject salt, made on first use. Call it inside the caller's transaction;
 * the insert-or-read keeps two concurrent first uses on one salt.
 */
export async function subjectSaltFor(db: Database, userId: string): Promise<string> {
  const [created] = await db
    .insert(chainSubjects)
    .values({ userId, salt: generateSalt() })
    .onConflictDoNothing()
    .returning({ salt: chainSubjects.salt });
  if (created) return created.salt;
  const [existing] = await db
    .select({ salt: chainSubjects.salt })
    .from(chainSubjects)
    .where(eq(chainSubjects.userId, userId));
  if (!existing) throw new Error(`no subject salt for user ${userId}`);
  return existing.salt;
}

/** A wallet the user linked and consented to anchor under, else the salted hash of their id. */
export async function resolveScoreSubject(db: Database, userId: string): Promise<Hex> {
  const [profile] = await db
    .select({ wallet: financialProfiles.walletAddress, consent: financialProfiles.walletAnchorConsent })
    .from(financialProfiles)
    .where(eq(financialProfiles.userId, userId));
  if (profile?.wallet && profile.consent) return subjectForWallet(profile.wallet);
  return subjectForUser(userId, await subjectSaltFor(db, userId));
}

export type ScoreAnchorParams = {
  scoreId: string;
  userId: string;
  /** 300 to 850. */
  score: number;
  /** At most 32 bytes of UTF-8. */
  modelVersion: string;
  /** When the score was calculated: the anchor carries it, and the registry refuses an older one over a newer. */
  calculatedAt: Date;
  /** The full off-chain record the hash commits to (reasons, inputs snapshot, time, ...). */
  record: { readonly [key: string]: JsonLike };
};

/**
 * Queues the anchoring of a score. Call it inside the transaction that stores the score: the job,
 * its chain_transactions row and the stored record commit with the score or not at all. A second call
 * for the same score returns the first one's transaction and queues nothing.
 */
export async function enqueueScoreAnchor(
  outbox: Outbox,
  tx: Database,
  params: ScoreAnchorParams,
): Promise<EnqueueResult> {
  const { chain, jobs } = outbox;
  if (!chain || !jobs) return notConfigured;
  if (!Number.isInteger(params.score) || params.score < 300 || params.score > 850) {
    throw new Error(`a score to anchor must be an integer from 300 to 850, got ${params.score}`);
  }
  encodeModelVersion(params.modelVersion); // throws for an empty or over-long version
  const [existing] = await tx
    .select({ transactionId: scoreAnchors.transactionId })
    .from(scoreAnchors)
    .where(eq(scoreAnchors.scoreId, params.scoreId));
  if (existing) return { queued: true, transactionId: existing.transactionId };

  const subject = await resolveScoreSubject(tx, params.userId);
  // The stored record is exactly what was hashed: JSON types only, so verify recomputes the same hash.
  const record = JSON.parse(
    canonicalJson({
      ...params.record,
      scoreId: params.scoreId,
      userId: params.userId,
      score: params.score,
      modelVersion: params.modelVersion,
    }),
  ) as Record<string, JsonLike>;
  const salt = generateSalt();
  const recordHash = scoreRecordHash(record, salt);
  const transactionId = crypto.randomUUID();

  await tx.insert(chainTransactions).values({
    id: transactionId,
    kind: "score_anchor",
    referenceId: params.scoreId,
    userId: params.userId,
    chainKey: subject,
    summary: { score: params.score, modelVersion: params.modelVersion },
  });
  await tx.insert(scoreAnchors).values({
    scoreId: params.scoreId,
    userId: params.userId,
    subject,
    salt,
    recordHash,
    score: params.score,
    modelVersion: params.modelVersion,
    record,
    transactionId,
  });
  const job: PublishJob = {
    kind: "score_anchor",
    transactionId,
    subject,
    score: params.score,
    recordHash,
    modelVersion: params.modelVersion,
    calculatedAt: params.calculatedAt.getTime(),
  };
  await jobs.send(tx, chain.publishQueue, job, { id: transactionId });
  return { queued: true, transactionId };
}

export type LoanStatusAnchorParams = {
  loanId: string;
  /** The borrower: their salt hashes the loan id, and the transaction is listed for them. */
  userId: string;
  amountCents: bigint | number;
  termMonths: number;
  status: LoanStatus;
};

/**
 * Queues the recording of a loan's new status. Call it inside the transaction of the status change.
 * The worker publishes one loan's statuses in the order they were queued.
 */
export async function enqueueLoanStatusAnchor(
  outbox: Outbox,
  tx: Database,
  params: LoanStatusAnchorParams,
): Promise<EnqueueResult> {
  const { chain, jobs } = outbox;
  if (!chain || !jobs) return notConfigured;
  loanStatusCode(params.status); // throws for an unknown status
  if (BigInt(params.amountCents) <= 0n || !Number.isInteger(params.termMonths) || params.termMonths < 1) {
    throw new Error("a loan to anchor needs a positive amount and term");
  }
  const idHash = loanIdHash(params.loanId, await subjectSaltFor(tx, params.userId));
  const amountCents = BigInt(params.amountCents).toString();
  const transactionId = crypto.randomUUID();
  await tx.insert(chainTransactions).values({
    id: transactionId,
    kind: "loan_status",
    referenceId: params.loanId,
    userId: params.userId,
    chainKey: idHash,
    summary: { status: params.status, amountCents, termMonths: params.termMonths },
  });
  const job: PublishJob = {
    kind: "loan_status",
    transactionId,
    loanIdHash: idHash,
    amountCents,
    termMonths: params.termMonths,
    status: params.status,
  };
  await jobs.send(tx, chain.publishQueue, job, { id: transactionId });
  return { queued: true, transactionId };
}

/** A stored score as the anchor publishes it: the record the hash commits to, and its calculation time. */
function scoreAnchorOf(stored: CreditScore): ScoreAnchorParams {
  return {
    scoreId: stored.id,
    userId: stored.userId,
    score: stored.score,
    modelVersion: stored.modelVersion,
    calculatedAt: stored.calculatedAt,
    record: JSON.parse(
      JSON.stringify({
        band: stored.band,
        engine: stored.engine,
        reasons: stored.reasons,
        inputs: stored.inputs,
        calculatedAt: stored.calculatedAt.toISOString(),
      }),
    ),
  };
}

/**
 * The credit service's hook: a stored score is anchored only for a user who consented to anchoring when they
 * linked their wallet. Nothing of anyone else reaches the chain, not even a salted hash.
 */
export async function anchorConsentedScore(outbox: Outbox, tx: Database, stored: CreditScore): Promise<void> {
  const [profile] = await tx
    .select({ consent: financialProfiles.walletAnchorConsent })
    .from(financialProfiles)
    .where(eq(financialProfiles.userId, stored.userId));
  if (!profile?.consent) return;
  await enqueueScoreAnchor(outbox, tx, scoreAnchorOf(stored));
}

/**
 * Anchors the user's latest score when it was never anchored: called when they link a wallet with consent after
 * scoring. Only the latest: older scores are history, and the registry keeps one latest per subject.
 */
export async function anchorLatestScore(
  outbox: Outbox,
  tx: Database,
  userId: string,
): Promise<EnqueueResult> {
  const [latest] = await tx
    .select()
    .from(creditScores)
    .where(eq(creditScores.userId, userId))
    .orderBy(desc(creditScores.calculatedAt), desc(creditScores.id))
    .limit(1);
  if (!latest) return { queued: false, reason: "no score yet" };
  return enqueueScoreAnchor(outbox, tx, scoreAnchorOf(latest));
}

// Any constant: keeps instances starting together from anchoring the same scores twice.
const BACKFILL_LOCK_KEY = 7_342_020;

/**
 * At start with a chain: each consenting user's latest score that was never anchored (calculated while no
 * chain was configured) is queued now. One transaction under an advisory lock, so instances starting together
 * queue each score once. Returns how many were queued.
 */
export async function anchorUnanchoredLatestScores(outbox: Outbox, db: Database): Promise<number> {
  if (!outbox.chain || !outbox.jobs) return 0;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BACKFILL_LOCK_KEY})`);
    const latest = await tx
      .selectDistinctOn([creditScores.userId])
      .from(creditScores)
      .innerJoin(financialProfiles, eq(financialProfiles.userId, creditScores.userId))
      .where(and(eq(financialProfiles.walletAnchorConsent, true), isNotNull(financialProfiles.walletAddress)))
      .orderBy(creditScores.userId, desc(creditScores.calculatedAt), desc(creditScores.id));
    const anchored = new Set(
      latest.length === 0
        ? []
        : (
            await tx
              .select({ scoreId: scoreAnchors.scoreId })
              .from(scoreAnchors)
              .where(
                inArray(
                  scoreAnchors.scoreId,
                  latest.map((row) => row.credit_scores.id),
                ),
              )
          ).map((row) => row.scoreId),
    );
    let queued = 0;
    for (const row of latest) {
      if (anchored.has(row.credit_scores.id)) continue;
      await enqueueScoreAnchor(outbox, tx, scoreAnchorOf(row.credit_scores));
      queued++;
    }
    return queued;
  });
}

/** The chain key audit checkpoints are published under: one after the other, in order. */
export const AUDIT_CHECKPOINT_CHAIN_KEY = "audit-log";

/**
 * Queues an audit checkpoint for the AuditAnchor contract, inside the transaction that records the checkpoint.
 * Nothing is queued without a chain or without AUDIT_ANCHOR_ADDRESS.
 */
export async function enqueueAuditCheckpoint(
  outbox: Outbox,
  tx: Database,
  head: { seq: number; hash: string },
): Promise<EnqueueResult> {
  const { chain, jobs } = outbox;
  if (!chain || !jobs) return notConfigured;
  if (!chain.addresses.auditAnchor) return { queued: false, reason: "no AUDIT_ANCHOR_ADDRESS is configured" };
  const transactionId = crypto.randomUUID();
  await tx.insert(chainTransactions).values({
    id: transactionId,
    kind: "audit_checkpoint",
    referenceId: String(head.seq),
    userId: null,
    chainKey: AUDIT_CHECKPOINT_CHAIN_KEY,
    summary: { seq: head.seq },
  });
  const job: PublishJob = {
    kind: "audit_checkpoint",
    transactionId,
    seq: head.seq,
    head: auditHeadBytes(head.hash),
  };
  await jobs.send(tx, chain.publishQueue, job, { id: transactionId });
  return { queued: true, transactionId };
}

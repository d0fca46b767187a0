import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { JobWithMetadata } from "pg-boss";
import type { Logger } from "pino";
import { BaseError, type Hex, HttpRequestError, TimeoutError } from "viem";
import type { Database } from "../../db/client";
import { type ChainTransaction, chainTransactions } from "../../db/schema";
import type { Config } from "../config";
import type { Jobs } from "../jobs/jobs";
import { describeError } from "../log-redaction";
import type { Metrics } from "../metrics";
import { anchorAuditCheckpoint } from "./audit-anchor";
import type { ChainService } from "./connection";
import { readLoanEvents, recordLoanStatus } from "./loan-registry";
import { anchorUnanchoredLatestScores, type PublishJob } from "./outbox";
import { anchorScore } from "./score-registry";

export type PublisherDeps = {
  db: Database;
  logger: Logger;
  chain: ChainService;
  jobs: Jobs;
  metrics: Pick<Metrics, "chainPublishes" | "chainPublishLag">;
  config: Pick<
    Config,
    | "CHAIN_RETRY_LIMIT"
    | "CHAIN_RETRY_DELAY_SECONDS"
    | "CHAIN_RETRY_DELAY_MAX_SECONDS"
    | "CHAIN_RECEIPT_TIMEOUT_MS"
    | "CHAIN_RPC_TIMEOUT_MS"
  >;
};

const DAY_SECONDS = 86_400;

/**
 * Creates the signer's publish queue and its dead-letter queue (every instance, since sends need
 * them) and, where workers are enabled, works it. The queue is a singleton: one job active at a time
 * across every instance, so one key's sends never race for a nonce.
 */
export async function startChainPublisher(deps: PublisherDeps): Promise<void> {
  const { chain, jobs, config } = deps;
  const deadLetter = `${chain.publishQueue}.dead`;
  await jobs.ensureQueue(deadLetter, { retentionSeconds: 90 * DAY_SECONDS });
  await jobs.ensureQueue(chain.publishQueue, {
    policy: "singleton",
    retryLimit: config.CHAIN_RETRY_LIMIT,
    retryDelay: config.CHAIN_RETRY_DELAY_SECONDS,
    retryBackoff: true,
    retryDelayMax: config.CHAIN_RETRY_DELAY_MAX_SECONDS,
    // a job's worst case: a handful of reads and the wait for its receipt
    expireInSeconds:
      Math.ceil((config.CHAIN_RECEIPT_TIMEOUT_MS + 8 * config.CHAIN_RPC_TIMEOUT_MS) / 1000) + 30,
    // queued jobs must outlive a long outage: an outage delays anchoring, it never drops it
    retentionSeconds: 90 * DAY_SECONDS,
    deadLetter,
  });
  const watch = watchForTheNode(deps);
  await jobs.work<PublishJob>(chain.publishQueue, async (job) => {
    try {
      await publishJob(deps, job);
    } catch (error) {
      if (nodeUnreachable(error)) watch();
      throw error;
    }
  });
  // Scores calculated while no chain was configured: each consenting user's latest is anchored now.
  const queued = await anchorUnanchoredLatestScores({ chain, jobs }, deps.db);
  if (queued > 0) deps.logger.info({ queued }, "queued the latest scores calculated without a chain");
}

/**
 * A write went through, so the chain answers: the entries waiting out their retry backoff (failed during an outage,
 * or held behind an earlier write to their key) are due now. Without this, a backlog queued during a long outage
 * drains at the pace of each entry's own backoff, minutes after the chain is back.
 */
async function wakeWaitingPublishes(db: Database, queue: string): Promise<void> {
  await db.execute(
    sql`update pgboss.job set start_after = now() where name = ${queue} and state = 'retry' and start_after > now()`,
  );
}

const NODE_PROBE_MS = 1000;

/** The node did not answer at all (refused, reset, timed out), as opposed to answering with a revert. */
function nodeUnreachable(error: unknown): boolean {
  return (
    error instanceof BaseError &&
    error.walk((cause) => cause instanceof HttpRequestError || cause instanceof TimeoutError) !== null
  );
}

/**
 * After a write failed because the node was unreachable: asks the node for its block number every second and,
 * once it answers, makes the waiting entries due. The first write after an outage then goes out within a second
 * or two of the node's return instead of after its own backoff (up to CHAIN_RETRY_DELAY_MAX_SECONDS).
 */
function watchForTheNode(deps: PublisherDeps): () => void {
  let probing = false;
  return () => {
    if (probing) return;
    probing = true;
    const probe = async () => {
      try {
        await deps.chain.clients.publicClient.getBlockNumber({ cacheTime: 0 });
        await wakeWaitingPublishes(deps.db, deps.chain.publishQueue);
        probing = false;
        deps.logger.info("chain node answers again; queued writes resume");
      } catch {
        setTimeout(probe, NODE_PROBE_MS).unref?.();
      }
    };
    setTimeout(probe, NODE_PROBE_MS).unref?.();
  };
}

class WaitingForEarlierWrite extends Error {
  override name = "WaitingForEarlierWrite";
}

/**
 * Publishes one outbox entry. Safe to run again for the same entry: the registry calls read the chain
 * first and send nothing for a record or status it already holds, so a retry after a crash or a receipt
 * timeout never writes twice.
 */
export async function publishJob(deps: PublisherDeps, job: JobWithMetadata<PublishJob>): Promise<void> {
  const { db, logger } = deps;
  const data = job.data;
  const [row] = await db.select().from(chainTransactions).where(eq(chainTransactions.id, data.transactionId));
  if (!row) {
    logger.warn({ transactionId: data.transactionId }, "publish job without its chain transaction row");
    return;
  }
  if (row.status === "confirmed") return;
  await db
    .update(chainTransactions)
    .set({ attempts: sql`${chainTransactions.attempts} + 1`, updatedAt: new Date() })
    .where(eq(chainTransactions.id, row.id));

  try {
    await assertEarlierWritesDone(db, row);
    const outcome =
      data.kind === "score_anchor"
        ? await sendScore(deps, row, data)
        : data.kind === "loan_status"
          ? await sendLoan(deps, row, data)
          : await sendAuditCheckpoint(deps, row, data);
    if (outcome.superseded) {
      await db
        .update(chainTransactions)
        .set({ status: "superseded", lastError: outcome.superseded, updatedAt: new Date() })
        .where(eq(chainTransactions.id, row.id));
      logger.info({ transactionId: row.id, reason: outcome.superseded }, "chain write superseded");
      return;
    }
    await db
      .update(chainTransactions)
      .set({
        status: "confirmed",
        txHash: outcome.txHash ?? row.txHash,
        blockNumber: outcome.blockNumber,
        gasUsed: outcome.gasUsed,
        lastError: null,
        confirmedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(eq(chainTransactions.id, row.id));
    await wakeWaitingPublishes(db, deps.chain.publishQueue);
    deps.metrics.chainPublishes.inc({ kind: row.kind, outcome: "confirmed" });
    deps.metrics.chainPublishLag.observe({ kind: row.kind }, (Date.now() - row.createdAt.getTime()) / 1000);
    logger.info(
      {
        transactionId: row.id,
        kind: row.kind,
        txHash: outcome.txHash,
        alreadyOnChain: outcome.alreadyOnChain,
      },
      "chain write confirmed",
    );
  } catch (error) {
    const final = job.retryCount >= job.retryLimit;
    await db
      .update(chainTransactions)
      .set({
        lastError: errorSummary(error),
        ...(final ? { status: "failed" as const } : {}),
        updatedAt: new Date(),
      })
      .where(eq(chainTransactions.id, row.id));
    const waiting = error instanceof WaitingForEarlierWrite;
    if (!waiting) deps.metrics.chainPublishes.inc({ kind: row.kind, outcome: final ? "failed" : "retry" });
    const log = waiting ? logger.debug.bind(logger) : logger.warn.bind(logger);
    log(
      {
        transactionId: row.id,
        kind: row.kind,
        attempt: job.retryCount + 1,
        final,
        error: errorSummary(error),
      },
      final ? "chain write failed for good (dead-lettered)" : "chain write failed, will retry",
    );
    throw error;
  }
}

/**
 * Writes to one chain key (a subject's latest score, a loan's status) go out in the order they were
 * queued: a failed and retried earlier write must not land after a later one. An earlier write that
 * failed for good (dead-lettered) no longer holds the later ones back.
 */
async function assertEarlierWritesDone(db: Database, row: ChainTransaction): Promise<void> {
  const [earlier] = await db
    .select({ id: chainTransactions.id })
    .from(chainTransactions)
    .where(
      and(
        eq(chainTransactions.chainKey, row.chainKey),
        lt(chainTransactions.seq, row.seq),
        inArray(chainTransactions.status, ["queued", "pending"]),
      ),
    )
    .limit(1);
  if (earlier)
    throw new WaitingForEarlierWrite(`waiting for the earlier write ${earlier.id} to the same key`);
}

type Outcome = {
  txHash: Hex | null;
  blockNumber: number | null;
  gasUsed: number | null;
  alreadyOnChain: boolean;
  /** Why nothing was sent and nothing will be: the registry holds a newer record. */
  superseded?: string;
};

function recordSent(db: Database, id: string) {
  return async (txHash: Hex) => {
    await db
      .update(chainTransactions)
      .set({ status: "pending", txHash, sentAt: new Date(), updatedAt: new Date() })
      .where(eq(chainTransactions.id, id));
  };
}

async function sendScore(
  { db, chain }: PublisherDeps,
  row: ChainTransaction,
  data: Extract<PublishJob, { kind: "score_anchor" }>,
): Promise<Outcome> {
  const result = await anchorScore(
    chain.clients,
    chain.addresses.scoreRegistry,
    {
      subject: data.subject,
      score: data.score,
      recordHash: data.recordHash,
      modelVersion: data.modelVersion,
      calculatedAt: new Date(data.calculatedAt),
    },
    { ...chain.send, onSent: recordSent(db, row.id) },
  );
  if (result.superseded) {
    return {
      txHash: null,
      blockNumber: null,
      gasUsed: null,
      alreadyOnChain: false,
      superseded: `the registry holds a newer score for this subject (calculated ${result.latestCalculatedAt.toISOString()})`,
    };
  }
  if (!result.alreadyAnchored) {
    return {
      txHash: result.txHash,
      blockNumber: Number(result.blockNumber),
      gasUsed: Number(result.gasUsed),
      alreadyOnChain: false,
    };
  }
  return existingTransaction(chain, result.existing?.txHash ?? null);
}

async function sendLoan(
  { db, chain }: PublisherDeps,
  row: ChainTransaction,
  data: Extract<PublishJob, { kind: "loan_status" }>,
): Promise<Outcome> {
  const result = await recordLoanStatus(
    chain.clients,
    chain.addresses.loanRegistry,
    {
      loanIdHash: data.loanIdHash,
      amountCents: BigInt(data.amountCents),
      termMonths: data.termMonths,
      status: data.status,
    },
    { ...chain.send, onSent: recordSent(db, row.id) },
  );
  if (!result.skipped) {
    return {
      txHash: result.txHash,
      blockNumber: Number(result.blockNumber),
      gasUsed: Number(result.gasUsed),
      alreadyOnChain: false,
    };
  }
  // Recorded by an earlier attempt whose receipt we never saw: find that transaction's event.
  const events = await readLoanEvents(chain.clients.publicClient, chain.addresses.loanRegistry, {
    loanIdHash: data.loanIdHash,
  }).catch(() => []);
  const event = events.find((e) => e.kind === "status" && e.to === data.status);
  return existingTransaction(chain, event?.txHash ?? null);
}

async function sendAuditCheckpoint(
  { db, chain }: PublisherDeps,
  row: ChainTransaction,
  data: Extract<PublishJob, { kind: "audit_checkpoint" }>,
): Promise<Outcome> {
  if (!chain.addresses.auditAnchor)
    throw new Error("an audit checkpoint is queued but AUDIT_ANCHOR_ADDRESS is not set");
  const result = await anchorAuditCheckpoint(
    chain.clients,
    chain.addresses.auditAnchor,
    { seq: data.seq, head: data.head },
    { ...chain.send, onSent: recordSent(db, row.id) },
  );
  if (result.alreadyAnchored) return existingTransaction(chain, (row.txHash as Hex | null) ?? null);
  return {
    txHash: result.txHash,
    blockNumber: Number(result.blockNumber),
    gasUsed: Number(result.gasUsed),
    alreadyOnChain: false,
  };
}

/** An earlier attempt's transaction, with its block and gas when the node still has its receipt. */
async function existingTransaction(chain: ChainService, txHash: Hex | null): Promise<Outcome> {
  if (!txHash) return { txHash: null, blockNumber: null, gasUsed: null, alreadyOnChain: true };
  try {
    const receipt = await chain.clients.publicClient.getTransactionReceipt({ hash: txHash });
    return {
      txHash,
      blockNumber: Number(receipt.blockNumber),
      gasUsed: Number(receipt.gasUsed),
      alreadyOnChain: true,
    };
  } catch {
    return { txHash, blockNumber: null, gasUsed: null, alreadyOnChain: true };
  }
}

function errorSummary(error: unknown): string {
  return describeError(error).slice(0, 500);
}

/** Seconds since the oldest chain write still queued or pending was queued; null when there is none. */
export async function oldestUnpublishedAge(db: Database): Promise<number | null> {
  const [row] = await db
    .select({ oldest: sql<Date | string | null>`min(${chainTransactions.createdAt})` })
    .from(chainTransactions)
    .where(inArray(chainTransactions.status, ["queued", "pending"]));
  if (!row?.oldest) return null;
  return Math.max(0, (Date.now() - new Date(row.oldest).getTime()) / 1000);
}

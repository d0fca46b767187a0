import { and, desc, eq, lt } from "drizzle-orm";
import { getAddress, type Hex } from "viem";
import type { Database } from "../../db/client";
import { type ChainTransaction, chainTransactions, scoreAnchors } from "../../db/schema";
import { notFound } from "../errors";
import { seqPage } from "../pagination";
import { type ChainService, readChain } from "./connection";
import { type ChainScore, isScoreAnchored, readLatestScore, readScoreEvents } from "./score-registry";
import { type JsonLike, scoreRecordHash, subjectForWallet } from "./subject";

export type AddressScore = { address: string; subject: Hex; score: ChainScore | null };

/** The latest score anchored for a wallet, read from the registry (public data). */
export async function readScoreForAddress(chain: ChainService, address: string): Promise<AddressScore> {
  const subject = subjectForWallet(address);
  const score = await readChain(() =>
    readLatestScore(chain.clients.publicClient, chain.addresses.scoreRegistry, subject),
  );
  return { address: getAddress(address), subject, score };
}

export type ChainTransactionView = Pick<
  ChainTransaction,
  | "id"
  | "kind"
  | "referenceId"
  | "summary"
  | "status"
  | "txHash"
  | "blockNumber"
  | "gasUsed"
  | "attempts"
  | "lastError"
  | "createdAt"
  | "sentAt"
  | "confirmedAt"
>;

export type TransactionPage = { items: ChainTransactionView[]; nextCursor: number | null };

/** The user's chain writes, newest first; `cursor` is the `nextCursor` of the previous page. */
export async function listUserTransactions(
  db: Database,
  params: { userId: string; limit: number; cursor?: number },
): Promise<TransactionPage> {
  const rows = await db
    .select({
      seq: chainTransactions.seq,
      id: chainTransactions.id,
      kind: chainTransactions.kind,
      referenceId: chainTransactions.referenceId,
      summary: chainTransactions.summary,
      status: chainTransactions.status,
      txHash: chainTransactions.txHash,
      blockNumber: chainTransactions.blockNumber,
      gasUsed: chainTransactions.gasUsed,
      attempts: chainTransactions.attempts,
      lastError: chainTransactions.lastError,
      createdAt: chainTransactions.createdAt,
      sentAt: chainTransactions.sentAt,
      confirmedAt: chainTransactions.confirmedAt,
    })
    .from(chainTransactions)
    .where(
      and(
        eq(chainTransactions.userId, params.userId),
        params.cursor === undefined ? undefined : lt(chainTransactions.seq, params.cursor),
      ),
    )
    .orderBy(desc(chainTransactions.seq))
    .limit(params.limit + 1);
  const { page, nextCursor } = seqPage(rows, params.limit, (row) => row.seq);
  return { items: page.map(({ seq: _seq, ...row }) => row), nextCursor };
}

export type ScoreVerification = {
  scoreId: string;
  recordHash: Hex;
  /** The stored record still hashes to the stored hash (nothing edited in the database). */
  recordIntact: boolean;
  anchored: boolean;
  /** The anchoring event; null when not anchored (or the node no longer serves its logs). */
  onChain: {
    subject: Hex;
    score: number;
    modelVersion: string;
    anchoredAt: Date;
    txHash: Hex;
    blockNumber: number;
    /** Whether this record is the subject's latest anchored score. */
    latest: boolean;
  } | null;
  /** Record intact, anchored, and the chain's score and model version equal the stored ones. */
  matches: boolean;
};

/**
 * Recomputes a stored score record's hash and compares it with the registry. Only the owner's scores
 * are found: another user's score id is simply not found.
 */
export async function verifyScoreAnchor(
  db: Database,
  chain: ChainService,
  params: { userId: string; scoreId: string },
): Promise<ScoreVerification> {
  const [anchor] = await db
    .select()
    .from(scoreAnchors)
    .where(and(eq(scoreAnchors.scoreId, params.scoreId), eq(scoreAnchors.userId, params.userId)));
  if (!anchor) throw notFound("Anchored score");
  const recordHash = scoreRecordHash(anchor.record as Record<string, JsonLike>, anchor.salt);
  const recordIntact = recordHash === anchor.recordHash;
  const { publicClient } = chain.clients;
  const registry = chain.addresses.scoreRegistry;
  // The publish recorded its block: start the log search there rather than at genesis.
  const [published] = await db
    .select({ blockNumber: chainTransactions.blockNumber })
    .from(chainTransactions)
    .where(eq(chainTransactions.id, anchor.transactionId));
  const { anchored, event, latest } = await readChain(async () => {
    const anchored = await isScoreAnchored(publicClient, registry, recordHash);
    const [event] = anchored
      ? await readScoreEvents(publicClient, registry, {
          recordHash,
          fromBlock: BigInt(published?.blockNumber ?? 0),
        })
      : [];
    const latest = event ? await readLatestScore(publicClient, registry, event.subject) : null;
    return { anchored, event, latest };
  });
  const onChain = event
    ? {
        subject: event.subject,
        score: event.score,
        modelVersion: event.modelVersion,
        anchoredAt: event.anchoredAt,
        txHash: event.txHash,
        blockNumber: Number(event.blockNumber),
        latest: latest?.recordHash === recordHash,
      }
    : null;
  return {
    scoreId: anchor.scoreId,
    recordHash,
    recordIntact,
    anchored,
    onChain,
    matches:
      recordIntact &&
      onChain !== null &&
      onChain.subject === anchor.subject &&
      onChain.score === anchor.score &&
      onChain.modelVersion === anchor.modelVersion,
  };
}

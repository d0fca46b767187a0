import { asc, gt } from "drizzle-orm";
import type { Database } from "../../db/client";
import { auditCheckpoints, auditLog } from "../../db/schema";
import { type AnchoredCheckpoint, readAnchoredCheckpoint } from "../chain/audit-anchor";
import type { ChainService } from "../chain/connection";
import { hashAuditEntry } from "./hash";
import { auditKey } from "./key";
import { GENESIS_HASH } from "./log";

/** A head the chain must still contain: from the checkpoint table, or read back from the chain. */
export type KnownHead = { seq: number; hash: string; source: "database" | "chain" };

export type AuditVerification = {
  ok: boolean;
  checked: number;
  firstBroken: { seq: number; reason: "hash_mismatch" | "broken_link" | "checkpoint_mismatch" } | null;
  /** Entries a checkpoint saw are gone: the newest rows were cut (and the log may have grown again since). */
  truncated: boolean;
  /** The sequence numbers lost, from the first after the last surviving entry to the checkpoint's. */
  missing: { fromSeq: number; toSeq: number } | null;
  /** The newest checkpoint verification compared against. */
  lastCheckpoint: KnownHead | null;
};

const PAGE_SIZE = 1000;

/**
 * Walks the whole chain in order and names the first entry whose content or link does not match. Then every
 * checkpoint (and the head anchored on chain, when given) must be found in it with the same hash: an entry a
 * checkpoint saw that is no longer there means the log was cut, which links alone cannot show.
 */
export async function verifyAuditChain(
  db: Database,
  options: { anchoredHead?: KnownHead | null; key?: Uint8Array } = {},
): Promise<AuditVerification> {
  const key = options.key ?? auditKey();
  const checkpoints = await knownHeads(db, options.anchoredHead ?? null);
  const lastCheckpoint = checkpoints.at(-1) ?? null;
  let pending = 0; // index of the next checkpoint to meet
  let prevHash = GENESIS_HASH;
  let lastSeq = 0;
  let checked = 0;
  const result = (fields: Partial<AuditVerification>): AuditVerification => ({
    ok: false,
    checked,
    firstBroken: null,
    truncated: false,
    missing: null,
    lastCheckpoint,
    ...fields,
  });
  const cut = (checkpoint: KnownHead) =>
    result({ truncated: true, missing: { fromSeq: lastSeq + 1, toSeq: checkpoint.seq } });

  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, lastSeq))
      .orderBy(asc(auditLog.seq))
      .limit(PAGE_SIZE);
    for (const entry of page) {
      const checkpoint = checkpoints[pending];
      if (checkpoint && checkpoint.seq < entry.seq) return cut(checkpoint);
      if (entry.prevHash !== prevHash) {
        return result({ firstBroken: { seq: entry.seq, reason: "broken_link" } });
      }
      const { seq, prevHash: _link, hash, ...content } = entry;
      if (hashAuditEntry(key, entry.prevHash, content) !== hash) {
        return result({ firstBroken: { seq, reason: "hash_mismatch" } });
      }
      while (checkpoints[pending]?.seq === seq) {
        if (checkpoints[pending]?.hash !== hash) {
          return result({ firstBroken: { seq, reason: "checkpoint_mismatch" } });
        }
        pending += 1;
      }
      prevHash = entry.hash;
      lastSeq = entry.seq;
      checked += 1;
    }
    if (page.length < PAGE_SIZE) break;
  }
  const unmet = checkpoints[pending];
  if (unmet) return cut(unmet);
  return result({ ok: true });
}

/** The checkpoints in sequence order, with the anchored head among them. */
async function knownHeads(db: Database, anchored: KnownHead | null): Promise<KnownHead[]> {
  const rows = await db
    .select({ seq: auditCheckpoints.seq, hash: auditCheckpoints.hash })
    .from(auditCheckpoints)
    .orderBy(asc(auditCheckpoints.seq));
  const heads: KnownHead[] = rows.map((row) => ({ ...row, source: "database" }));
  if (anchored) heads.push(anchored);
  return heads.sort((a, b) => a.seq - b.seq);
}

export type AnchoredVerification = AuditVerification & {
  /** Whether the head anchored on chain took part: read, no anchor configured, or the node did not answer. */
  chainCheckpoint: "checked" | "not_configured" | "unreachable";
};

/** Verification against the database's checkpoints and, when a chain and AuditAnchor are configured, the chain's. */
export async function verifyAuditLog(deps: {
  db: Database;
  chain: ChainService | null;
}): Promise<AnchoredVerification> {
  const contract = deps.chain?.addresses.auditAnchor;
  if (!deps.chain || !contract) {
    return { ...(await verifyAuditChain(deps.db)), chainCheckpoint: "not_configured" };
  }
  let anchored: AnchoredCheckpoint | null;
  try {
    anchored = await readAnchoredCheckpoint(deps.chain.clients.publicClient, contract);
  } catch {
    return { ...(await verifyAuditChain(deps.db)), chainCheckpoint: "unreachable" };
  }
  const anchoredHead: KnownHead | null = anchored
    ? { seq: anchored.seq, hash: anchored.head.slice(2), source: "chain" }
    : null;
  return { ...(await verifyAuditChain(deps.db, { anchoredHead })), chainCheckpoint: "checked" };
}

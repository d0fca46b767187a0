import { and, asc, desc, eq, inArray, isNull, lt, notInArray, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  type SanctionsListVersion,
  sanctionsListEntries,
  sanctionsListFetches,
  sanctionsListHead,
  sanctionsListVersions,
  sanctionsRescreens,
} from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import type { Jobs } from "../jobs/jobs";
import { diffLists, entryDigest, listChecksum } from "./sanctions/list-files";
import type { SanctionsEntry, SanctionsList } from "./sanctions/types";

export const RESCREEN_QUEUE = "sanctions.rescreen";
export type FetchTrigger = "start" | "cron" | "reload";

// Any constant: serialises version swaps across instances (two starting at once import the folder once).
const SANCTIONS_LOCK = 7_342_018;
// Entries are kept for the newest versions only (their metadata forever); a rescreen still running keeps its own.
const VERSIONS_WITH_ENTRIES = 3;
const INSERT_CHUNK = 500;

export type ListHead = { version: SanctionsListVersion; generation: number };

export async function readHead(db: Database): Promise<ListHead | null> {
  const [row] = await db
    .select({ version: sanctionsListVersions, generation: sanctionsListHead.generation })
    .from(sanctionsListHead)
    .innerJoin(sanctionsListVersions, eq(sanctionsListVersions.id, sanctionsListHead.versionId))
    .where(eq(sanctionsListHead.id, 1));
  return row ?? null;
}

/** Only the generation: what every instance polls. */
export async function readGeneration(db: Database): Promise<number | null> {
  const [row] = await db
    .select({ generation: sanctionsListHead.generation })
    .from(sanctionsListHead)
    .where(eq(sanctionsListHead.id, 1));
  return row?.generation ?? null;
}

export type ReadEntriesParams = { versionId: number; entryIds?: readonly number[] };

export async function readEntries(db: Database, params: ReadEntriesParams): Promise<SanctionsEntry[]> {
  const rows = await db
    .select()
    .from(sanctionsListEntries)
    .where(
      and(
        eq(sanctionsListEntries.versionId, params.versionId),
        params.entryIds ? inArray(sanctionsListEntries.entryId, [...params.entryIds]) : undefined,
      ),
    )
    .orderBy(asc(sanctionsListEntries.entryId));
  return rows.map((row) => ({
    id: row.entryId,
    name: row.name,
    type: row.type,
    programs: row.programs,
    aliases: row.aliases,
    datesOfBirth: row.datesOfBirth,
    remarks: row.remarks,
  }));
}

export type StoreListDeps = { jobs: Jobs | null };

export type StoreListParams = {
  list: SanctionsList;
  source: string;
  trigger: FetchTrigger;
  meta: RequestMeta;
};

export type StoreListResult = {
  outcome: "updated" | "unchanged";
  version: SanctionsListVersion;
  previousCount: number | null;
  rescreenId: string | null;
};

/**
 * Stores a parsed list as the new version when it differs from the one in use, and points the head at it; a
 * reload moves the head's generation even when nothing changed, so every instance loads the list again. When
 * entries were added or changed, a rescreen of every customer against those entries commits with the version
 * (its job with it, when the queue is there; otherwise the queue's start sends it).
 */
export async function storeListVersion(
  db: Database,
  deps: StoreListDeps,
  params: StoreListParams,
): Promise<StoreListResult> {
  const { list, source, trigger, meta } = params;
  const digests = new Map(list.entries.map((entry) => [entry.id, entryDigest(entry)]));
  const checksum = listChecksum(digests);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SANCTIONS_LOCK})`);
    const head = await readHead(tx);
    if (head && head.version.checksum === checksum) {
      if (trigger === "reload") await moveHead(tx, head.version.id, head.generation + 1);
      await tx
        .insert(sanctionsListFetches)
        .values({ trigger, source, outcome: "unchanged", versionId: head.version.id });
      return {
        outcome: "unchanged",
        version: head.version,
        previousCount: head.version.entryCount,
        rescreenId: null,
      };
    }
    const previous = head
      ? await tx
          .select({ entryId: sanctionsListEntries.entryId, digest: sanctionsListEntries.digest })
          .from(sanctionsListEntries)
          .where(eq(sanctionsListEntries.versionId, head.version.id))
      : [];
    const diff = diffLists(new Map(previous.map((row) => [row.entryId, row.digest])), digests);
    const [version] = await tx
      .insert(sanctionsListVersions)
      .values({
        source,
        checksum,
        entryCount: list.count,
        skippedRows: list.skippedRows,
        added: diff.added.length,
        changed: diff.changed.length,
        removed: diff.removed.length,
        fetchedAt: list.loadedAt,
      })
      .returning();
    if (!version) throw new Error("sanctions version insert returned no row");
    for (let start = 0; start < list.entries.length; start += INSERT_CHUNK) {
      await tx.insert(sanctionsListEntries).values(
        list.entries.slice(start, start + INSERT_CHUNK).map((entry) => ({
          versionId: version.id,
          entryId: entry.id,
          name: entry.name,
          type: entry.type,
          programs: entry.programs,
          aliases: entry.aliases,
          datesOfBirth: entry.datesOfBirth,
          remarks: entry.remarks,
          digest: digests.get(entry.id) as string,
        })),
      );
    }
    await moveHead(tx, version.id, (head?.generation ?? 0) + 1);
    await tx
      .insert(sanctionsListFetches)
      .values({ trigger, source, outcome: "updated", versionId: version.id });

    const screenAgainst = [...diff.added, ...diff.changed];
    let rescreenId: string | null = null;
    // The first version is what onboarding screened against; later ones are screened for what they bring.
    if (head && screenAgainst.length > 0) {
      const [rescreen] = await tx
        .insert(sanctionsRescreens)
        .values({ versionId: version.id, scope: "changes", entryIds: screenAgainst })
        .returning({ id: sanctionsRescreens.id });
      rescreenId = rescreen?.id ?? null;
      if (rescreenId && deps.jobs) await sendRescreenJob(tx, deps.jobs, rescreenId);
    }
    await appendAudit(tx, meta, {
      action: "sanctions.version_stored",
      subjectType: "sanctions_list",
      subjectId: String(version.id),
      details: {
        trigger,
        source,
        checksum,
        entries: list.count,
        added: diff.added.length,
        changed: diff.changed.length,
        removed: diff.removed.length,
        previousVersion: head?.version.id ?? null,
        rescreenId,
      },
    });
    await pruneEntries(tx, version.id);
    return { outcome: "updated", version, previousCount: head?.version.entryCount ?? null, rescreenId };
  });
}

async function moveHead(tx: Database, versionId: number, generation: number): Promise<void> {
  await tx
    .insert(sanctionsListHead)
    .values({ id: 1, versionId, generation })
    .onConflictDoUpdate({
      target: sanctionsListHead.id,
      set: { versionId, generation, updatedAt: new Date() },
    });
}

async function pruneEntries(tx: Database, newest: number): Promise<void> {
  const running = tx
    .select({ versionId: sanctionsRescreens.versionId })
    .from(sanctionsRescreens)
    .where(inArray(sanctionsRescreens.status, ["queued", "running"]));
  await tx
    .delete(sanctionsListEntries)
    .where(
      and(
        lt(sanctionsListEntries.versionId, newest - VERSIONS_WITH_ENTRIES + 1),
        notInArray(sanctionsListEntries.versionId, running),
      ),
    );
}

/** Sends the rescreen's job inside `tx` and notes its id on the row. */
export async function sendRescreenJob(tx: Database, jobs: Jobs, rescreenId: string): Promise<void> {
  const jobId = await jobs.send(tx, RESCREEN_QUEUE, { rescreenId });
  await tx.update(sanctionsRescreens).set({ jobId }).where(eq(sanctionsRescreens.id, rescreenId));
}

/** Rescreens stored before the queue was up (the start-up import) get their job now; once across instances. */
export async function sendPendingRescreens(db: Database, jobs: Jobs): Promise<number> {
  return db.transaction(async (tx) => {
    const pending = await tx
      .select({ id: sanctionsRescreens.id })
      .from(sanctionsRescreens)
      .where(and(eq(sanctionsRescreens.status, "queued"), isNull(sanctionsRescreens.jobId)))
      .for("update", { skipLocked: true });
    for (const { id } of pending) await sendRescreenJob(tx, jobs, id);
    return pending.length;
  });
}

export type RecordFailureParams = {
  trigger: FetchTrigger;
  source: string;
  error: string;
  meta: RequestMeta;
  /** A scheduled refresh audits its failure here; an admin's reload audits its own. */
  audit: boolean;
};

/** A refused download: the alert row and (for a scheduled refresh) its audit entry, together. */
export async function recordFetchFailure(db: Database, params: RecordFailureParams): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(sanctionsListFetches).values({
      trigger: params.trigger,
      source: params.source,
      outcome: "failed",
      error: params.error,
    });
    if (!params.audit) return;
    await appendAudit(tx, params.meta, {
      action: "sanctions.refresh_failed",
      subjectType: "sanctions_list",
      details: { trigger: params.trigger, source: params.source, error: params.error },
    });
  });
}

export type RecordNotModifiedParams = { trigger: FetchTrigger; source: string };

export async function recordNotModified(db: Database, params: RecordNotModifiedParams): Promise<void> {
  const head = await readHead(db);
  await db.insert(sanctionsListFetches).values({
    trigger: params.trigger,
    source: params.source,
    outcome: "not_modified",
    versionId: head?.version.id ?? null,
  });
}

export type ListHistoryParams = { limit: number };

/** The version in use, the newest versions and the newest fetch outcomes (failures included). */
export async function listHistory(db: Database, params: ListHistoryParams) {
  const head = await readHead(db);
  const versions = await db
    .select()
    .from(sanctionsListVersions)
    .orderBy(desc(sanctionsListVersions.id))
    .limit(params.limit);
  const fetches = await db
    .select()
    .from(sanctionsListFetches)
    .orderBy(desc(sanctionsListFetches.id))
    .limit(params.limit);
  return { current: head?.version ?? null, generation: head?.generation ?? null, versions, fetches };
}

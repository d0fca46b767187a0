import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "../../db/client";
import {
  type KycApplicationRow,
  kycApplications,
  kycResubmissions,
  type SanctionsRescreen,
  type StoredKycCheck,
  sanctionsHits,
  sanctionsRescreens,
  users,
} from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import { conflict, notFound, unavailable } from "../errors";
import type { Jobs } from "../jobs/jobs";
import { openCase } from "./cases/open";
import { checkSanctions, type Identity, type SanctionsMatch } from "./kyc-checks";
import { buildScreeningIndex, type ScreeningIndex } from "./sanctions/screen";
import { readEntries, readHead, sendRescreenJob } from "./sanctions-store";

/**
 * Rescreening: every customer whose KYC is verified or in review, screened again against a list version's added
 * and changed entries (or, on an admin's request, the whole list), in batches of SANCTIONS_RESCREEN_BATCH, each
 * batch one transaction that also moves the progress and the cursor (a retried job resumes after it). A match
 * the customer has not had before moves them to `review` (which freezes new applications and disbursements until
 * a reviewer decides) and opens a sanctions case; the customer sees only "under review".
 */

export type RescreenDeps = { logger: Logger; threshold: number; batchSize: number };
export type RunRescreenParams = { rescreenId: string };

const active = ["verified", "review"] as const;

type Customer = Pick<KycApplicationRow, "id" | "userId" | "status" | "checks" | "decidedBy">;

export async function runRescreen(
  db: Database,
  deps: RescreenDeps,
  params: RunRescreenParams,
): Promise<SanctionsRescreen> {
  const [row] = await db
    .update(sanctionsRescreens)
    .set({ status: "running", startedAt: sql`coalesce(${sanctionsRescreens.startedAt}, now())`, error: null })
    .where(
      and(
        eq(sanctionsRescreens.id, params.rescreenId),
        inArray(sanctionsRescreens.status, ["queued", "running", "failed"]),
      ),
    )
    .returning();
  if (!row) return rescreenById(db, params.rescreenId);
  const meta: RequestMeta = { actorId: null, ip: null, requestId: `job:sanctions.rescreen:${row.id}` };
  try {
    const entries = await readEntries(db, { versionId: row.versionId, entryIds: row.entryIds ?? undefined });
    const index = buildScreeningIndex({
      entries,
      count: entries.length,
      loadedAt: new Date(),
      skippedRows: 0,
      version: row.versionId,
    });
    let cursor = row.cursor;
    for (;;) {
      const batch = await db
        .select({
          id: kycApplications.id,
          userId: kycApplications.userId,
          status: kycApplications.status,
          checks: kycApplications.checks,
          decidedBy: kycApplications.decidedBy,
        })
        .from(kycApplications)
        .where(
          and(
            inArray(kycApplications.status, [...active]),
            cursor ? gt(kycApplications.userId, cursor) : undefined,
          ),
        )
        .orderBy(asc(kycApplications.userId))
        .limit(deps.batchSize);
      if (batch.length === 0) break;
      const hits = await screenBatch(db, index, deps.threshold, batch);
      cursor = (batch.at(-1) as Customer).userId;
      await db.transaction(async (tx) => {
        for (const hit of hits)
          await raiseHit(tx, meta, { ...hit, rescreenId: row.id, versionId: row.versionId });
        await tx
          .update(sanctionsRescreens)
          .set({
            cursor,
            screened: sql`${sanctionsRescreens.screened} + ${batch.length}`,
            hits: sql`${sanctionsRescreens.hits} + ${hits.length}`,
          })
          .where(eq(sanctionsRescreens.id, row.id));
      });
    }
    const [done] = await db
      .update(sanctionsRescreens)
      .set({ status: "done", finishedAt: new Date() })
      .where(eq(sanctionsRescreens.id, row.id))
      .returning();
    deps.logger.info(
      { rescreenId: row.id, screened: done?.screened, hits: done?.hits },
      "sanctions rescreen done",
    );
    return done as SanctionsRescreen;
  } catch (error) {
    await db
      .update(sanctionsRescreens)
      .set({ status: "failed", error: error instanceof Error ? error.message : String(error) })
      .where(eq(sanctionsRescreens.id, row.id));
    throw error;
  }
}

type Hit = { customer: Customer; matches: SanctionsMatch[]; detail: string };

/** Screens one batch (no writes): the matches each customer has not had before. */
async function screenBatch(
  db: Database,
  index: ScreeningIndex,
  threshold: number,
  batch: readonly Customer[],
): Promise<Hit[]> {
  const ids = batch.map((customer) => customer.userId);
  const [applications, resubmissions, known] = await Promise.all([
    db
      .select({
        userId: kycApplications.userId,
        legalName: kycApplications.legalName,
        dateOfBirth: kycApplications.dateOfBirth,
      })
      .from(kycApplications)
      .where(inArray(kycApplications.userId, ids)),
    db
      .select({
        userId: kycResubmissions.userId,
        legalName: kycResubmissions.legalName,
        dateOfBirth: kycResubmissions.dateOfBirth,
      })
      .from(kycResubmissions)
      .where(inArray(kycResubmissions.userId, ids)),
    db
      .select({ userId: sanctionsHits.userId, entryId: sanctionsHits.entryId })
      .from(sanctionsHits)
      .where(inArray(sanctionsHits.userId, ids)),
  ]);
  const identities = new Map<string, Map<string, Identity>>();
  for (const { userId, ...identity } of [...applications, ...resubmissions]) {
    let own = identities.get(userId);
    if (!own) {
      own = new Map();
      identities.set(userId, own);
    }
    own.set(`${identity.legalName}|${identity.dateOfBirth}`, identity);
  }
  const knownEntries = new Set(known.map((hit) => `${hit.userId}|${hit.entryId}`));
  const hits: Hit[] = [];
  for (const customer of batch) {
    const check = checkSanctions(index, [...(identities.get(customer.userId)?.values() ?? [])], threshold);
    if (check.matches.length === 0) continue;
    // Entries a reviewer already saw with this application (at onboarding or an earlier hit) are not new.
    const seen = new Set(sanctionsCheckOf(customer.checks)?.matches?.map((match) => match.entryId) ?? []);
    const fresh = check.matches.filter(
      (match) => !seen.has(match.entryId) && !knownEntries.has(`${customer.userId}|${match.entryId}`),
    );
    if (fresh.length > 0) hits.push({ customer, matches: fresh, detail: check.detail });
  }
  return hits;
}

const sanctionsCheckOf = (checks: readonly StoredKycCheck[]) =>
  checks.find((check) => check.name === "sanctions");

type RaiseHitParams = Hit & { rescreenId: string; versionId: number };

/** Back to review, a case, the hit rows and the audit entry, in the batch's transaction. */
async function raiseHit(tx: Database, meta: RequestMeta, params: RaiseHitParams): Promise<void> {
  const { customer, matches, versionId } = params;
  // The same lock KYC submissions and decisions take: a decision cannot cross the hit.
  await tx.select({ id: users.id }).from(users).where(eq(users.id, customer.userId)).for("update");
  const [current] = await tx
    .select({ status: kycApplications.status, checks: kycApplications.checks })
    .from(kycApplications)
    .where(eq(kycApplications.id, customer.id));
  if (!current || !(active as readonly string[]).includes(current.status)) return;
  const caseId = await openCase(tx, {
    meta,
    userId: customer.userId,
    kind: "sanctions",
    reason: "sanctions_rescreen",
  });
  await tx
    .insert(sanctionsHits)
    .values(
      matches.map((match) => ({
        userId: customer.userId,
        entryId: match.entryId,
        entryName: match.entryName,
        programs: match.programs,
        matchedName: match.matchedName,
        screenedName: match.screenedName,
        score: match.score,
        dobMatch: match.dobMatch,
        versionId,
        rescreenId: params.rescreenId,
        caseId,
      })),
    )
    .onConflictDoNothing();
  const previous = sanctionsCheckOf(current.checks);
  const sanctions: StoredKycCheck = {
    name: "sanctions",
    result: "review",
    detail: `Rescreen against sanctions list version ${versionId}: ${params.detail}`,
    matches: [...(previous?.matches ?? []), ...matches],
    listVersion: versionId,
  };
  await tx
    .update(kycApplications)
    .set({
      status: "review",
      decidedAt: null,
      decidedBy: null,
      decisionReason: null,
      checks: [...current.checks.filter((check) => check.name !== "sanctions"), sanctions],
    })
    .where(eq(kycApplications.id, customer.id));
  // No personal data in the audit log: ids, list entry ids and scores only.
  await appendAudit(tx, meta, {
    action: "kyc.rescreen_hit",
    subjectType: "kyc_application",
    subjectId: customer.id,
    details: {
      userId: customer.userId,
      from: current.status,
      to: "review",
      caseId,
      versionId,
      rescreenId: params.rescreenId,
      matches: matches.map((match) => ({ entryId: match.entryId, score: match.score })),
    },
  });
}

export async function rescreenById(db: Database, id: string): Promise<SanctionsRescreen> {
  const [row] = await db.select().from(sanctionsRescreens).where(eq(sanctionsRescreens.id, id));
  if (!row) throw notFound("Rescreen");
  return row;
}

export type RescreenView = Pick<
  SanctionsRescreen,
  | "id"
  | "versionId"
  | "scope"
  | "status"
  | "screened"
  | "hits"
  | "createdAt"
  | "startedAt"
  | "finishedAt"
  | "error"
> & { done: boolean; entries: number | null };

export function rescreenView(row: SanctionsRescreen): RescreenView {
  const { id, versionId, scope, status, screened, hits, createdAt, startedAt, finishedAt, error } = row;
  return {
    id,
    versionId,
    scope,
    status,
    screened,
    hits,
    done: status === "done",
    entries: row.entryIds?.length ?? null,
    createdAt,
    startedAt,
    finishedAt,
    error,
  };
}

export type GetRescreenParams = { rescreenId: string };

export async function getRescreen(db: Database, params: GetRescreenParams): Promise<RescreenView> {
  return rescreenView(await rescreenById(db, params.rescreenId));
}

export type StartFullRescreenParams = { meta: RequestMeta };

/** An admin's full rescreen: every customer against the whole list in use. */
export async function startFullRescreen(
  db: Database,
  deps: { jobs: Jobs | null },
  params: StartFullRescreenParams,
): Promise<RescreenView> {
  const { jobs } = deps;
  if (!jobs) throw unavailable("JOBS_UNAVAILABLE", "The job queue is not running on this instance");
  return db.transaction(async (tx) => {
    const head = await readHead(tx);
    if (!head) throw conflict("SANCTIONS_LIST_MISSING", "No sanctions list is stored yet");
    const [row] = await tx
      .insert(sanctionsRescreens)
      .values({ versionId: head.version.id, scope: "full", requestedBy: params.meta.actorId })
      .returning();
    if (!row) throw new Error("rescreen insert returned no row");
    await sendRescreenJob(tx, jobs, row.id);
    await appendAudit(tx, params.meta, {
      action: "sanctions.rescreen_started",
      subjectType: "sanctions_rescreen",
      subjectId: row.id,
      details: { versionId: head.version.id, scope: "full" },
    });
    return rescreenView(row);
  });
}

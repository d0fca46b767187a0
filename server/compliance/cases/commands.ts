import { eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { type ComplianceCase, caseNotes, complianceCases, type SarDraft } from "../../../db/schema";
import { appendAudit, type RequestMeta } from "../../audit/log";
import { conflict, forbidden, notFound } from "../../errors";
import { type CaseDetail, type CaseSettings, getCase } from "./queries";
import { buildSarDraft } from "./sar";

/**
 * The case workflow: open → investigating (someone takes it) → closed (no action, with a reason) or reported
 * (a suspicious-activity report draft is kept). Every step is audited in its own transaction. A member of staff
 * never works a case about themselves; only the assignee decides.
 */

async function lockCase(tx: Database, caseId: string, actorId: string | null): Promise<ComplianceCase> {
  const [row] = await tx.select().from(complianceCases).where(eq(complianceCases.id, caseId)).for("update");
  if (!row) throw notFound("Case");
  if (row.userId === actorId) throw forbidden("You cannot work a case about yourself");
  if (row.decidedAt) {
    throw conflict("CASE_DECIDED", `This case is already ${row.status}`, { status: row.status });
  }
  return row;
}

function assertAssignee(row: ComplianceCase, actorId: string | null): void {
  if (row.status !== "investigating" || row.assigneeId !== actorId) {
    throw conflict("CASE_NOT_TAKEN", "Take the case before deciding it: only its assignee decides", {
      status: row.status,
      assigneeId: row.assigneeId,
    });
  }
}

export type CaseCommandDeps = CaseSettings;
export type TakeCaseParams = { meta: RequestMeta; caseId: string };

/** The caller becomes the assignee (taking over from another is allowed, and audited with who had it). */
export async function takeCase(
  db: Database,
  deps: CaseCommandDeps,
  params: TakeCaseParams,
): Promise<CaseDetail> {
  const { meta, caseId } = params;
  await db.transaction(async (tx) => {
    const row = await lockCase(tx, caseId, meta.actorId);
    await tx
      .update(complianceCases)
      .set({ status: "investigating", assigneeId: meta.actorId })
      .where(eq(complianceCases.id, caseId));
    await appendAudit(tx, meta, {
      action: "case.taken",
      subjectType: "compliance_case",
      subjectId: caseId,
      details: { userId: row.userId, from: row.status, previousAssignee: row.assigneeId },
    });
  });
  return getCase(db, deps, { caseId });
}

export type AddCaseNoteParams = { meta: RequestMeta; caseId: string; body: string };

export async function addCaseNote(
  db: Database,
  deps: CaseCommandDeps,
  params: AddCaseNoteParams,
): Promise<CaseDetail> {
  const { meta, caseId, body } = params;
  await db.transaction(async (tx) => {
    const row = await lockCase(tx, caseId, meta.actorId);
    const [note] = await tx
      .insert(caseNotes)
      .values({ caseId, authorId: meta.actorId, body })
      .returning({ id: caseNotes.id });
    // The note's text stays in the case (it may name people); the audit keeps that it was written.
    await appendAudit(tx, meta, {
      action: "case.note_added",
      subjectType: "compliance_case",
      subjectId: caseId,
      details: { userId: row.userId, noteId: note?.id, length: body.length },
    });
  });
  return getCase(db, deps, { caseId });
}

export type CloseCaseParams = { meta: RequestMeta; caseId: string; reason: string };

/** Closed with no action: the reason is kept on the case. */
export async function closeCase(
  db: Database,
  deps: CaseCommandDeps,
  params: CloseCaseParams,
): Promise<CaseDetail> {
  const { meta, caseId, reason } = params;
  await db.transaction(async (tx) => {
    const row = await lockCase(tx, caseId, meta.actorId);
    assertAssignee(row, meta.actorId);
    await tx
      .update(complianceCases)
      .set({ status: "closed", decidedAt: new Date(), decidedBy: meta.actorId, closeReason: reason })
      .where(eq(complianceCases.id, caseId));
    await appendAudit(tx, meta, {
      action: "case.closed",
      subjectType: "compliance_case",
      subjectId: caseId,
      details: { userId: row.userId, reason },
    });
  });
  return getCase(db, deps, { caseId });
}

export type ReportCaseParams = { meta: RequestMeta; caseId: string; note?: string };

/** Marked reported: the SAR draft is built from the case (and the closing note, if given) and kept with it. */
export async function reportCase(
  db: Database,
  deps: CaseCommandDeps,
  params: ReportCaseParams,
): Promise<CaseDetail> {
  const { meta, caseId } = params;
  await db.transaction(async (tx) => {
    const row = await lockCase(tx, caseId, meta.actorId);
    assertAssignee(row, meta.actorId);
    if (params.note) await tx.insert(caseNotes).values({ caseId, authorId: meta.actorId, body: params.note });
    const now = new Date();
    const sar = await buildSarDraft(tx, { caseRow: row, preparedAt: now });
    await tx
      .update(complianceCases)
      .set({ status: "reported", decidedAt: now, decidedBy: meta.actorId, sar })
      .where(eq(complianceCases.id, caseId));
    await appendAudit(tx, meta, {
      action: "case.reported",
      subjectType: "compliance_case",
      subjectId: caseId,
      details: { userId: row.userId, movements: sar.activity.movements, rules: sar.rulesFired.length },
    });
  });
  return getCase(db, deps, { caseId });
}

export type GetCaseReportParams = { caseId: string };

/** The SAR draft of a reported case. */
export async function getCaseReport(db: Database, params: GetCaseReportParams): Promise<SarDraft> {
  const [row] = await db
    .select({ status: complianceCases.status, sar: complianceCases.sar })
    .from(complianceCases)
    .where(eq(complianceCases.id, params.caseId));
  if (!row) throw notFound("Case");
  if (!row.sar) {
    throw conflict("CASE_NOT_REPORTED", "A report exists once the case is marked reported", {
      status: row.status,
    });
  }
  return row.sar;
}

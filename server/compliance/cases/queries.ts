import { and, asc, desc, eq, gt, inArray, lte, type SQL } from "drizzle-orm";
import type { Database } from "../../../db/client";
import {
  amlAlerts,
  type ComplianceCase,
  caseAlerts,
  caseNotes,
  complianceCases,
  moneyMovements,
  sanctionsHits,
  users,
} from "../../../db/schema";
import { notFound } from "../../errors";
import { formatMoney } from "../../money";
import { seqPage } from "../../pagination";

const DAY_MS = 86_400_000;
const undecided = ["open", "investigating"] as const;

export type CaseSettings = { slaDays: number };

export type CaseListItem = Omit<ComplianceCase, "sar"> & {
  userEmail: string;
  ageDays: number;
  /** Undecided and older than CASE_SLA_DAYS. */
  overdue: boolean;
};

const caseColumns = { item: complianceCases, userEmail: users.email };

function listItem(
  row: { item: ComplianceCase; userEmail: string },
  settings: CaseSettings,
  now: Date,
): CaseListItem {
  const { sar: _sar, ...item } = row.item;
  const ageMs = now.getTime() - item.openedAt.getTime();
  return {
    ...item,
    userEmail: row.userEmail,
    ageDays: Math.floor(ageMs / DAY_MS),
    overdue: item.decidedAt === null && ageMs > settings.slaDays * DAY_MS,
  };
}

export type ListCasesParams = {
  status?: ComplianceCase["status"];
  assigneeId?: string;
  /** Only cases opened at least this many days ago. */
  minAgeDays?: number;
  /** Only undecided cases past CASE_SLA_DAYS. */
  overdue?: boolean;
  cursor?: number;
  limit: number;
  now?: Date;
};

/** Cases oldest first, as a queue is worked. */
export async function listCases(
  db: Database,
  settings: CaseSettings,
  params: ListCasesParams,
): Promise<{ items: CaseListItem[]; nextCursor: number | null }> {
  const now = params.now ?? new Date();
  const conditions: (SQL | undefined)[] = [
    params.status ? eq(complianceCases.status, params.status) : undefined,
    params.assigneeId ? eq(complianceCases.assigneeId, params.assigneeId) : undefined,
    params.minAgeDays !== undefined
      ? lte(complianceCases.openedAt, new Date(now.getTime() - params.minAgeDays * DAY_MS))
      : undefined,
    params.cursor ? gt(complianceCases.seq, params.cursor) : undefined,
  ];
  if (params.overdue) {
    conditions.push(
      inArray(complianceCases.status, [...undecided]),
      lte(complianceCases.openedAt, new Date(now.getTime() - settings.slaDays * DAY_MS)),
    );
  }
  const rows = await db
    .select(caseColumns)
    .from(complianceCases)
    .innerJoin(users, eq(users.id, complianceCases.userId))
    .where(and(...conditions))
    .orderBy(asc(complianceCases.seq))
    .limit(params.limit + 1);
  const { page, nextCursor } = seqPage(rows, params.limit, (row) => row.item.seq);
  return { items: page.map((row) => listItem(row, settings, now)), nextCursor };
}

/** Undecided cases past the SLA, for /metrics. */
export async function countOverdueCases(
  db: Database,
  settings: CaseSettings,
  now = new Date(),
): Promise<number> {
  const rows = await db
    .select({ id: complianceCases.id })
    .from(complianceCases)
    .where(
      and(
        inArray(complianceCases.status, [...undecided]),
        lte(complianceCases.openedAt, new Date(now.getTime() - settings.slaDays * DAY_MS)),
      ),
    );
  return rows.length;
}

export type GetCaseParams = { caseId: string; now?: Date };

/** One case with what it is about: its alerts, sanctions hits, notes, and the customer's movements. */
export async function getCase(db: Database, settings: CaseSettings, params: GetCaseParams) {
  const [row] = await db
    .select(caseColumns)
    .from(complianceCases)
    .innerJoin(users, eq(users.id, complianceCases.userId))
    .where(eq(complianceCases.id, params.caseId));
  if (!row) throw notFound("Case");
  const caseId = row.item.id;
  const [notes, alerts, hits, movements] = await Promise.all([
    db
      .select({
        id: caseNotes.id,
        authorId: caseNotes.authorId,
        body: caseNotes.body,
        createdAt: caseNotes.createdAt,
      })
      .from(caseNotes)
      .where(eq(caseNotes.caseId, caseId))
      .orderBy(asc(caseNotes.createdAt)),
    db
      .select({
        id: amlAlerts.id,
        rule: amlAlerts.rule,
        detail: amlAlerts.detail,
        riskScore: amlAlerts.riskScore,
        status: amlAlerts.status,
        createdAt: amlAlerts.createdAt,
      })
      .from(caseAlerts)
      .innerJoin(amlAlerts, eq(amlAlerts.id, caseAlerts.alertId))
      .where(eq(caseAlerts.caseId, caseId))
      .orderBy(asc(amlAlerts.seq)),
    db
      .select({
        entryId: sanctionsHits.entryId,
        entryName: sanctionsHits.entryName,
        programs: sanctionsHits.programs,
        matchedName: sanctionsHits.matchedName,
        screenedName: sanctionsHits.screenedName,
        score: sanctionsHits.score,
        versionId: sanctionsHits.versionId,
        createdAt: sanctionsHits.createdAt,
      })
      .from(sanctionsHits)
      .where(eq(sanctionsHits.caseId, caseId))
      .orderBy(asc(sanctionsHits.createdAt)),
    db
      .select()
      .from(moneyMovements)
      .where(eq(moneyMovements.userId, row.item.userId))
      .orderBy(desc(moneyMovements.occurredAt))
      .limit(200),
  ]);
  return {
    ...listItem(row, settings, params.now ?? new Date()),
    notes,
    alerts,
    sanctionsHits: hits,
    movements: movements.map((movement) => ({
      id: movement.id,
      kind: movement.kind,
      direction: movement.direction,
      amount: formatMoney(movement.amountCents),
      counterpartyCountry: movement.counterpartyCountry,
      reference: movement.reference,
      occurredAt: movement.occurredAt,
    })),
    reportAvailable: row.item.sar !== null,
  };
}

export type CaseDetail = Awaited<ReturnType<typeof getCase>>;

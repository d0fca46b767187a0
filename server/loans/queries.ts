import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  type Loan,
  type LoanRefusal,
  loanInstalments,
  loanRefusals,
  loans,
  loanTransitions,
  payments,
} from "../../db/schema";
import type { LoanStatus } from "../../db/schema/loan-values";
import { notFound } from "../errors";
import { formatMoney } from "../money";
import { afterTimeCursor, type PageOrder, seqPage, timeKeyOrder, timeKeyPage } from "../pagination";
import { assertCanRead, type Viewer } from "./access";
import type { LoanDetailView, LoanRefusalView, LoanView } from "./schemas";
import { toLoanDetailView, toLoanView } from "./views";

/** One loan with its schedule (paid amounts and states), outstanding balance, payments and status history. */
export async function getLoanDetail(db: Database, viewer: Viewer, loanId: string): Promise<LoanDetailView> {
  const [loan] = await db.select().from(loans).where(eq(loans.id, loanId));
  if (!loan) throw notFound("Loan");
  assertCanRead(viewer, loan);
  return describeLoan(db, loan);
}

/** A loan the caller already holds (no access check: use getLoanDetail for a viewer's request), in full. */
export async function describeLoan(db: Database, loan: Loan): Promise<LoanDetailView> {
  const instalments = await db
    .select()
    .from(loanInstalments)
    .where(eq(loanInstalments.loanId, loan.id))
    .orderBy(asc(loanInstalments.n));
  const history = await db
    .select()
    .from(loanTransitions)
    .where(eq(loanTransitions.loanId, loan.id))
    .orderBy(asc(loanTransitions.id));
  const started = await db
    .select()
    .from(payments)
    .where(eq(payments.loanId, loan.id))
    .orderBy(asc(payments.createdAt), asc(payments.id));
  return toLoanDetailView(loan, instalments, history, started);
}

type Page = { items: LoanView[]; nextCursor: string | null };

async function page(
  db: Database,
  where: SQL[],
  order: PageOrder,
  cursor: string | undefined,
  limit: number,
): Promise<Page> {
  if (cursor !== undefined) where.push(afterTimeCursor(loans.createdAt, loans.id, cursor, order));
  const rows = await db
    .select()
    .from(loans)
    .where(and(...where))
    .orderBy(...timeKeyOrder(loans.createdAt, loans.id, order))
    .limit(limit + 1);
  return timeKeyPage(rows, limit, (row) => row.createdAt, toLoanView);
}

/** The user's own loans, newest first. */
export function listOwnLoans(
  db: Database,
  userId: string,
  query: { status?: LoanStatus; cursor?: string; limit: number },
): Promise<Page> {
  const where = [eq(loans.userId, userId)];
  if (query.status) where.push(eq(loans.status, query.status));
  return page(db, where, "newest", query.cursor, query.limit);
}

/** Submitted applications waiting for a decision, oldest first, as a queue is worked. */
export function underwritingQueue(db: Database, query: { cursor?: string; limit: number }): Promise<Page> {
  return page(db, [eq(loans.status, "submitted")], "oldest", query.cursor, query.limit);
}

function toRefusalView(row: LoanRefusal): LoanRefusalView {
  return {
    id: row.id,
    seq: row.seq,
    userId: row.userId,
    code: row.code,
    reason: row.reason,
    disclosedCode: row.disclosedCode,
    amount: formatMoney(row.amountCents),
    termMonths: row.termMonths,
    at: row.at,
  };
}

/**
 * Refused applications, newest first, with the real reason (staff only): the applicant may have been told only
 * NOT_ELIGIBLE. `cursor` is the `nextCursor` of the previous page.
 */
export async function listRefusals(
  db: Database,
  query: { userId?: string; cursor?: number; limit: number },
): Promise<{ items: LoanRefusalView[]; nextCursor: number | null }> {
  const where: SQL[] = [];
  if (query.userId) where.push(eq(loanRefusals.userId, query.userId));
  if (query.cursor !== undefined) where.push(sql`${loanRefusals.seq} < ${query.cursor}`);
  const rows = await db
    .select()
    .from(loanRefusals)
    .where(and(...where))
    .orderBy(desc(loanRefusals.seq))
    .limit(query.limit + 1);
  const { page, nextCursor } = seqPage(rows, query.limit, (row) => row.seq);
  return { items: page.map(toRefusalView), nextCursor };
}

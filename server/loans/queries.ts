import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type Loan, loanInstalments, loans, loanTransitions, payments } from "../../db/schema";
import { notFound } from "../errors";
import { decodeTimeCursor, encodeTimeCursor } from "../query-inputs";
import type { LoanDetailView, LoanView } from "./schemas";
import type { LoanStatus } from "./status";
import { toLoanDetailView, toLoanView } from "./views";
import { assertCanRead, type Viewer } from "./workflow";

/** One loan with its schedule (paid amounts and states), outstanding balance, payments and status history. */
export async function getLoanDetail(db: Database, viewer: Viewer, loanId: string): Promise<LoanDetailView> {
  const [loan] = await db.select().from(loans).where(eq(loans.id, loanId));
  if (!loan) throw notFound("Loan");
  assertCanRead(viewer, loan);
  return loanDetail(db, loan);
}

export async function loanDetail(db: Database, loan: Loan): Promise<LoanDetailView> {
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
  order: "newest" | "oldest",
  cursor: string | undefined,
  limit: number,
): Promise<Page> {
  if (cursor !== undefined) {
    const after = decodeTimeCursor(cursor);
    const key = sql`(${loans.createdAt}, ${loans.id})`;
    const bound = sql`(${after.at}::timestamptz, ${after.id}::uuid)`;
    where.push(order === "newest" ? sql`${key} < ${bound}` : sql`${key} > ${bound}`);
  }
  const direction = order === "newest" ? desc : asc;
  const rows = await db
    .select()
    .from(loans)
    .where(and(...where))
    .orderBy(direction(loans.createdAt), direction(loans.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toLoanView),
    nextCursor: rows.length > limit && last ? encodeTimeCursor(last.createdAt, last.id) : null,
  };
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

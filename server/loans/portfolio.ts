import { and, desc, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { loanInstalments, loans, users } from "../../db/schema";
import { formatMoney, formatRate } from "../money";
import { decodeTimeCursor, encodeTimeCursor } from "../pagination";
import { isoDate } from "./dates";
import {
  type DpdBucket,
  dpdBuckets,
  type PortfolioFilter,
  type PortfolioItem,
  type PortfolioView,
} from "./servicing-schemas";
import { dueDateOf } from "./views";

/**
 * The loan book for staff: every loan with what it still owes, its arrears and days past due (of its oldest
 * unpaid instalment already due), filtered, newest first by keyset, with totals over the whole selection.
 * Figures are computed per loan by a lateral subquery over its instalments (the primary key's index), so a
 * page reads only the loans it shows and the ones its filters skip.
 */

const owing = ["disbursed", "defaulted"] as const;

function book(db: Database, filter: PortfolioFilter, today: string) {
  const i = loanInstalments;
  const remaining = sql`(${i.principalCents} + ${i.interestCents} - ${i.paidPrincipalCents} - ${i.paidInterestCents})`;
  const pastDue = sql`${i.dueDate} < ${today}::date`;
  const figures = db
    .select({
      outstandingPrincipal: sql<string>`coalesce(sum(${i.principalCents} - ${i.paidPrincipalCents}), 0)`.as(
        "outstanding_principal",
      ),
      arrears: sql<string>`coalesce(sum(case when ${pastDue} then ${remaining} else 0 end), 0)`.as("arrears"),
      daysPastDue:
        sql<number>`coalesce(max(case when ${pastDue} and ${remaining} > 0 then ${today}::date - ${i.dueDate} end), 0)`.as(
          "days_past_due",
        ),
    })
    .from(i)
    .where(and(eq(i.loanId, loans.id), inArray(loans.status, [...owing])))
    .as("figures");
  const where: SQL[] = [];
  if (filter.status) where.push(eq(loans.status, filter.status));
  if (filter.disbursedFrom) where.push(gte(loans.disbursedAt, dueDateOf(filter.disbursedFrom)));
  if (filter.disbursedTo)
    where.push(lt(loans.disbursedAt, new Date(dueDateOf(filter.disbursedTo).getTime() + 86_400_000)));
  if (filter.productId) where.push(eq(loans.productId, filter.productId));
  if (filter.borrower) {
    where.push(
      filter.borrower.includes("@")
        ? eq(users.email, filter.borrower.toLowerCase())
        : eq(loans.userId, filter.borrower),
    );
  }
  const dpd = figures.daysPastDue;
  const bucket = sql<DpdBucket>`case when ${dpd} = 0 then 'current' when ${dpd} <= 30 then '1-30' when ${dpd} <= 60 then '31-60' when ${dpd} <= 90 then '61-90' else '90+' end`;
  return db
    .select({
      id: loans.id,
      userId: loans.userId,
      borrowerEmail: users.email,
      status: loans.status,
      scheduleType: loans.scheduleType,
      productId: loans.productId,
      productVersion: loans.productVersion,
      amountCents: loans.amountCents,
      aprBasisPoints: loans.aprBasisPoints,
      termMonths: loans.termMonths,
      createdAt: loans.createdAt,
      disbursedAt: loans.disbursedAt,
      outstandingPrincipal: figures.outstandingPrincipal,
      arrears: figures.arrears,
      daysPastDue: figures.daysPastDue,
      bucket: bucket.as("bucket"),
    })
    .from(loans)
    .innerJoin(users, eq(users.id, loans.userId))
    .leftJoinLateral(figures, sql`true`)
    .where(and(...where))
    .as("book");
}

export type PortfolioParams = PortfolioFilter & { cursor?: string; limit: number; now?: Date };

type BookRow = {
  id: string;
  userId: string;
  borrowerEmail: string;
  status: PortfolioItem["status"];
  scheduleType: PortfolioItem["scheduleType"];
  productId: string | null;
  productVersion: number | null;
  amountCents: number;
  aprBasisPoints: number;
  termMonths: number;
  createdAt: Date | string;
  disbursedAt: Date | string | null;
  outstandingPrincipal: string | number | null;
  arrears: string | number | null;
  daysPastDue: string | number | null;
  bucket: DpdBucket;
};

const asDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

function toItem(row: BookRow): PortfolioItem {
  return {
    id: row.id,
    userId: row.userId,
    borrowerEmail: row.borrowerEmail,
    status: row.status,
    scheduleType: row.scheduleType,
    productId: row.productId,
    productVersion: row.productVersion === null ? null : Number(row.productVersion),
    amount: formatMoney(Number(row.amountCents)),
    apr: formatRate(Number(row.aprBasisPoints)),
    termMonths: Number(row.termMonths),
    createdAt: asDate(row.createdAt),
    disbursedAt: row.disbursedAt === null ? null : asDate(row.disbursedAt),
    outstandingPrincipal: formatMoney(Number(row.outstandingPrincipal ?? 0)),
    arrears: formatMoney(Number(row.arrears ?? 0)),
    daysPastDue: Number(row.daysPastDue ?? 0),
    dpdBucket: row.bucket ?? "current",
  };
}

/** One page of the book (newest first) and the totals of everything the filters select. */
export async function portfolioPage(db: Database, params: PortfolioParams): Promise<PortfolioView> {
  const today = isoDate(params.now ?? new Date());
  const base = book(db, params, today);
  const where: SQL[] = [];
  if (params.dpdBucket) where.push(sql`coalesce(${base.bucket}, 'current') = ${params.dpdBucket}`);
  const filtered = and(...where);
  if (params.cursor !== undefined) {
    const after = decodeTimeCursor(params.cursor);
    where.push(sql`(${base.createdAt}, ${base.id}) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  }
  const rows = (await db
    .select()
    .from(base)
    .where(and(...where))
    .orderBy(desc(base.createdAt), desc(base.id))
    .limit(params.limit + 1)) as BookRow[];
  const items = rows.slice(0, params.limit).map(toItem);
  const last = items.at(-1);

  const counts = dpdBuckets.map(
    (name) => sql<string>`count(*) filter (where coalesce(${base.bucket}, 'current') = ${name})`,
  );
  const [totals] = await db
    .select({
      loans: sql<string>`count(*)`,
      outstandingPrincipal: sql<string>`coalesce(sum(${base.outstandingPrincipal}), 0)`,
      arrears: sql<string>`coalesce(sum(${base.arrears}), 0)`,
      ...Object.fromEntries(counts.map((count, index) => [`bucket${index}`, count])),
    })
    .from(base)
    .where(filtered);
  const read = (key: string) => Number((totals as Record<string, unknown> | undefined)?.[key] ?? 0);
  return {
    items,
    nextCursor: rows.length > params.limit && last ? encodeTimeCursor(last.createdAt, last.id) : null,
    totals: {
      loans: read("loans"),
      outstandingPrincipal: formatMoney(read("outstandingPrincipal")),
      arrears: formatMoney(read("arrears")),
      byBucket: Object.fromEntries(dpdBuckets.map((name, index) => [name, read(`bucket${index}`)])) as Record<
        DpdBucket,
        number
      >,
    },
  };
}

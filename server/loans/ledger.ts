import { count, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { journalEntries, type journalEntryKind, journalLines } from "../../db/schema";
import type { LedgerAccount } from "../../db/schema/loan-values";
import { formatMoney } from "../money";
import { assertBalanced, type JournalLine, trialBalance } from "./journal";
import type { TrialBalanceView } from "./schemas";

export type Posting = {
  kind: (typeof journalEntryKind.enumValues)[number];
  loanId: string;
  repaymentId?: string | null;
  /** The late instalment a late fee is charged for. */
  instalmentN?: number | null;
  description: string;
  lines: JournalLine[];
  postedAt: Date;
};

/**
 * Writes one balanced journal entry. Call it in the transaction of the workflow step it books, so the books
 * move with the loan or not at all; unique indexes allow one disbursement entry per loan and one entry per
 * repayment, so a retried step cannot post twice.
 */
export async function postJournal(tx: Database, posting: Posting): Promise<string> {
  assertBalanced(posting.lines);
  const [entry] = await tx
    .insert(journalEntries)
    .values({
      kind: posting.kind,
      loanId: posting.loanId,
      repaymentId: posting.repaymentId ?? null,
      instalmentN: posting.instalmentN ?? null,
      description: posting.description,
      postedAt: posting.postedAt,
    })
    .returning({ id: journalEntries.id });
  if (!entry) throw new Error("journal entry insert returned no row");
  await tx.insert(journalLines).values(posting.lines.map((line) => ({ entryId: entry.id, ...line })));
  return entry.id;
}

/** Debits and credits per account over every posting (or one loan's), and whether they balance. */
export async function ledgerTrialBalance(
  db: Database,
  params: { loanId?: string } = {},
): Promise<TrialBalanceView> {
  const filter = params.loanId ? eq(journalEntries.loanId, params.loanId) : undefined;
  const rows = await db
    .select({
      account: journalLines.account,
      debitCents: sql<string>`coalesce(sum(${journalLines.debitCents}), 0)`,
      creditCents: sql<string>`coalesce(sum(${journalLines.creditCents}), 0)`,
    })
    .from(journalLines)
    .innerJoin(journalEntries, eq(journalEntries.id, journalLines.entryId))
    .where(filter)
    .groupBy(journalLines.account);
  const [entries] = await db.select({ n: count() }).from(journalEntries).where(filter);
  const balance = trialBalance(
    rows.map((row) => ({
      account: row.account as LedgerAccount,
      debitCents: Number(row.debitCents),
      creditCents: Number(row.creditCents),
    })),
  );
  return {
    accounts: balance.accounts.map((row) => ({
      account: row.account,
      debit: formatMoney(row.debitCents),
      credit: formatMoney(row.creditCents),
      balance: formatMoney(row.balanceCents),
    })),
    totalDebit: formatMoney(balance.totalDebitCents),
    totalCredit: formatMoney(balance.totalCreditCents),
    balanced: balance.balanced,
    entries: entries?.n ?? 0,
  };
}

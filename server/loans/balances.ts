import { eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { journalEntries, journalLines } from "../../db/schema";
import type { LedgerAccount } from "../../db/schema/loan-values";
import { normalBalance } from "./journal";

/** One loan's ledger balances in each account's normal direction; accounts never posted to are 0. */
export async function loanBalances(db: Database, loanId: string): Promise<Record<LedgerAccount, number>> {
  const rows = await db
    .select({
      account: journalLines.account,
      debit: sql<string>`coalesce(sum(${journalLines.debitCents}), 0)`,
      credit: sql<string>`coalesce(sum(${journalLines.creditCents}), 0)`,
    })
    .from(journalLines)
    .innerJoin(journalEntries, eq(journalEntries.id, journalLines.entryId))
    .where(eq(journalEntries.loanId, loanId))
    .groupBy(journalLines.account);
  const balances = Object.fromEntries(Object.keys(normalBalance).map((account) => [account, 0])) as Record<
    LedgerAccount,
    number
  >;
  for (const row of rows) {
    const debit = Number(row.debit);
    const credit = Number(row.credit);
    balances[row.account] = normalBalance[row.account] === "debit" ? debit - credit : credit - debit;
  }
  return balances;
}

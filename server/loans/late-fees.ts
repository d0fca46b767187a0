import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  journalEntries,
  journalLines,
  type Loan,
  type LoanInstalment,
  loanProductVersions,
} from "../../db/schema";
import { formatMoney } from "../money";
import { lateFeeEntries } from "./journal";
import { lateFeeCents, type ProductTerms } from "./products/terms";
import { instalmentRemainingCents } from "./repayment";
import { toInstalmentDue } from "./views";

export type LateFeeTerms = Pick<
  ProductTerms,
  "graceDays" | "lateFeeFixedCents" | "lateFeeBasisPoints" | "lateFeeCapCents"
>;

export type LateFeeCharge = { n: number; feeCents: number };

/** The late-fee terms of the product version the loan was priced on; null for a loan made before products. */
export async function lateFeeTermsOf(
  tx: Database,
  loan: Pick<Loan, "productId" | "productVersion">,
): Promise<LateFeeTerms | null> {
  if (loan.productId === null || loan.productVersion === null) return null;
  const [terms] = await tx
    .select({
      graceDays: loanProductVersions.graceDays,
      lateFeeFixedCents: loanProductVersions.lateFeeFixedCents,
      lateFeeBasisPoints: loanProductVersions.lateFeeBasisPoints,
      lateFeeCapCents: loanProductVersions.lateFeeCapCents,
    })
    .from(loanProductVersions)
    .where(
      and(
        eq(loanProductVersions.productId, loan.productId),
        eq(loanProductVersions.version, loan.productVersion),
      ),
    );
  return terms ?? null;
}

export type ChargeLateFeesParams = {
  loanId: string;
  terms: LateFeeTerms;
  /** Instalments that just went past their grace days. */
  lateInstalments: readonly LoanInstalment[];
  now: Date;
};

/**
 * Charges each newly late instalment its fee (fixed plus a percentage of what is overdue on it, capped) as a
 * journal entry, Dr fees_receivable / Cr fee_income. One fee per instalment for life: the (loan, instalment)
 * unique index turns a repeat into a no-op, so a retried or re-run job cannot charge twice. Call it in the
 * transaction that marks the instalments late. Returns the fees posted now.
 */
export async function chargeLateFees(tx: Database, params: ChargeLateFeesParams): Promise<LateFeeCharge[]> {
  const charged: LateFeeCharge[] = [];
  for (const row of params.lateInstalments) {
    const overdue = instalmentRemainingCents(toInstalmentDue(row));
    const feeCents = lateFeeCents(params.terms, overdue);
    if (feeCents <= 0) continue;
    const [entry] = await tx
      .insert(journalEntries)
      .values({
        kind: "late_fee",
        loanId: params.loanId,
        instalmentN: row.n,
        description: `Late fee on instalment ${row.n} of loan ${params.loanId} (${formatMoney(overdue)} overdue)`,
        postedAt: params.now,
      })
      .onConflictDoNothing()
      .returning({ id: journalEntries.id });
    if (!entry) continue;
    await tx
      .insert(journalLines)
      .values(lateFeeEntries(feeCents).map((line) => ({ entryId: entry.id, ...line })));
    charged.push({ n: row.n, feeCents });
  }
  return charged;
}

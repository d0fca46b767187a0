import { type LedgerAccount, ledgerAccounts } from "../../db/schema/loan-values";
/**
 * Double-entry journal lines for the loans ledger. Every builder returns lines whose debits equal their
 * credits (asserted), each line one-sided and positive; posting them all in the workflow step's transaction
 * keeps the books balanced at every moment.
 *
 * The scheme (Fineract's, on the accrual side):
 * - disbursement:  Dr loans_receivable for the principal / Cr cash for the payout / Cr fee_income for the
 *                  origination fee (withheld from the payout, or financed into the principal);
 * - late fee:      Dr fees_receivable / Cr fee_income, once per late instalment;
 * - accrual:       Dr interest_receivable / Cr interest_income, when interest is earned (optional; e.g. as
 *                  an instalment falls due);
 * - repayment:     Dr cash for the amount; Cr loans_receivable for the principal part; the interest part
 *                  settles accrued interest first (Cr interest_receivable) and the rest is income on
 *                  receipt (Cr interest_income); money received beyond what the schedule asked is owed
 *                  back to the borrower (Cr overpayments, a liability).
 * Interest is income exactly once, whether accrued or not. With no accruals posted this is cash-basis
 * accounting and interest_receivable stays at zero.
 */

/** Assets grow by debits; income and liabilities (money received beyond what was owed) by credits. */
export const normalBalance: Readonly<Record<LedgerAccount, "debit" | "credit">> = Object.freeze({
  cash: "debit",
  loans_receivable: "debit",
  interest_receivable: "debit",
  interest_income: "credit",
  overpayments: "credit",
  fees_receivable: "debit",
  fee_income: "credit",
  // An expense: written-off principal is debited here, recoveries credit it back.
  loan_losses: "debit",
});

export type JournalLine = { account: LedgerAccount; debitCents: number; creditCents: number };

export class UnbalancedJournalError extends Error {
  override name = "UnbalancedJournalError";
}

const debit = (account: LedgerAccount, cents: number): JournalLine => ({
  account,
  debitCents: cents,
  creditCents: 0,
});
const credit = (account: LedgerAccount, cents: number): JournalLine => ({
  account,
  debitCents: 0,
  creditCents: cents,
});

function requireAmount(name: string, cents: number, allowZero: boolean): void {
  if (!Number.isSafeInteger(cents) || cents < 0 || (!allowZero && cents === 0)) {
    throw new RangeError(
      `${name} must be a ${allowZero ? "non-negative" : "positive"} integer of cents, got ${cents}`,
    );
  }
}

/** Throws unless every line is one-sided, non-negative and whole, and debits equal credits. */
export function assertBalanced(lines: readonly JournalLine[]): void {
  let debits = 0;
  let credits = 0;
  for (const line of lines) {
    const { debitCents, creditCents } = line;
    if (
      !Number.isSafeInteger(debitCents) ||
      !Number.isSafeInteger(creditCents) ||
      debitCents < 0 ||
      creditCents < 0
    ) {
      throw new UnbalancedJournalError(`line on ${line.account} has an invalid amount`);
    }
    if (debitCents > 0 === creditCents > 0) {
      throw new UnbalancedJournalError(`line on ${line.account} must be either a debit or a credit`);
    }
    debits += debitCents;
    credits += creditCents;
  }
  if (debits !== credits) throw new UnbalancedJournalError(`debits ${debits} ≠ credits ${credits}`);
}

function balanced(lines: JournalLine[]): JournalLine[] {
  assertBalanced(lines);
  return lines;
}

/**
 * Paying out a loan: Dr loans_receivable for the principal the schedule amortises / Cr cash for what the borrower
 * receives / Cr fee_income for the origination fee. Principal = payout + fee, whichever way the fee was taken.
 */
export function disbursementEntries(principalCents: number, originationFeeCents = 0): JournalLine[] {
  requireAmount("principalCents", principalCents, false);
  requireAmount("originationFeeCents", originationFeeCents, true);
  if (originationFeeCents >= principalCents)
    throw new RangeError("the origination fee must be below the principal");
  const lines = [
    debit("loans_receivable", principalCents),
    credit("cash", principalCents - originationFeeCents),
    credit("fee_income", originationFeeCents),
  ];
  return balanced(lines.filter((line) => line.debitCents > 0 || line.creditCents > 0));
}

/** A late fee charged: Dr fees_receivable / Cr fee_income. */
export function lateFeeEntries(feeCents: number): JournalLine[] {
  requireAmount("feeCents", feeCents, false);
  return balanced([debit("fees_receivable", feeCents), credit("fee_income", feeCents)]);
}

/** Interest earned but not yet received: Dr interest_receivable / Cr interest_income. */
export function interestAccrualEntries(interestCents: number): JournalLine[] {
  requireAmount("interestCents", interestCents, false);
  return balanced([debit("interest_receivable", interestCents), credit("interest_income", interestCents)]);
}

export type RepaymentSplit = { principalCents: number; interestCents: number; unallocatedCents?: number };

/**
 * A repayment, split as `allocateRepayment` split it, plus whatever arrived beyond what was owed
 * (`unallocatedCents`). `accruedInterestCents` is the loan's interest receivable before this payment (0 without
 * accruals); that much of the interest part settles it.
 */
export function repaymentEntries(
  split: RepaymentSplit,
  options: { accruedInterestCents?: number } = {},
): JournalLine[] {
  const { principalCents, interestCents } = split;
  const unallocated = split.unallocatedCents ?? 0;
  const accrued = options.accruedInterestCents ?? 0;
  requireAmount("principalCents", principalCents, true);
  requireAmount("interestCents", interestCents, true);
  requireAmount("unallocatedCents", unallocated, true);
  requireAmount("accruedInterestCents", accrued, true);
  const total = principalCents + interestCents + unallocated;
  if (total === 0) throw new RangeError("a repayment must move some money");
  const settled = Math.min(interestCents, accrued);
  const lines = [
    debit("cash", total),
    credit("loans_receivable", principalCents),
    credit("interest_receivable", settled),
    credit("interest_income", interestCents - settled),
    credit("overpayments", unallocated),
  ];
  return balanced(lines.filter((line) => line.debitCents > 0 || line.creditCents > 0));
}

export type AccountBalance = {
  account: LedgerAccount;
  debitCents: number;
  creditCents: number;
  /** In the account's normal direction: debits − credits for assets, credits − debits for income. */
  balanceCents: number;
};

export type TrialBalance = {
  accounts: AccountBalance[];
  totalDebitCents: number;
  totalCreditCents: number;
  balanced: boolean;
};

/** Totals per account (every account listed, zero or not) and whether debits equal credits. */
export function trialBalance(
  lines: Iterable<Pick<JournalLine, "account" | "debitCents" | "creditCents">>,
): TrialBalance {
  const totals = new Map<LedgerAccount, { debitCents: number; creditCents: number }>(
    ledgerAccounts.map((account) => [account, { debitCents: 0, creditCents: 0 }]),
  );
  for (const line of lines) {
    const total = totals.get(line.account);
    if (!total) throw new RangeError(`unknown ledger account ${String(line.account)}`);
    total.debitCents += line.debitCents;
    total.creditCents += line.creditCents;
  }
  const accounts = ledgerAccounts.map((account) => {
    const { debitCents, creditCents } = totals.get(account) as { debitCents: number; creditCents: number };
    return {
      account,
      debitCents,
      creditCents,
      balanceCents: normalBalance[account] === "debit" ? debitCents - creditCents : creditCents - debitCents,
    };
  });
  const totalDebitCents = accounts.reduce((sum, row) => sum + row.debitCents, 0);
  const totalCreditCents = accounts.reduce((sum, row) => sum + row.creditCents, 0);
  return { accounts, totalDebitCents, totalCreditCents, balanced: totalDebitCents === totalCreditCents };
}

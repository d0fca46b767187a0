import { describe, expect, test } from "bun:test";
import {
  assertBalanced,
  disbursementEntries,
  interestAccrualEntries,
  type JournalLine,
  lateFeeEntries,
  repaymentEntries,
  trialBalance,
  UnbalancedJournalError,
} from "../../../server/loans/journal";
import { allocateRepayment, applyAllocation, outstandingCents } from "../../../server/loans/repayment";
import { unpaidInstalments } from "./helpers";

const totals = (lines: JournalLine[]) => ({
  debit: lines.reduce((sum, line) => sum + line.debitCents, 0),
  credit: lines.reduce((sum, line) => sum + line.creditCents, 0),
});

describe("journal entries", () => {
  test("a disbursement debits loans receivable and credits cash", () => {
    expect(disbursementEntries(1_000_000)).toEqual([
      { account: "loans_receivable", debitCents: 1_000_000, creditCents: 0 },
      { account: "cash", debitCents: 0, creditCents: 1_000_000 },
    ]);
  });

  test("an origination fee is income at disbursement: the receivable is the principal, cash the payout", () => {
    expect(disbursementEntries(500_000, 10_000)).toEqual([
      { account: "loans_receivable", debitCents: 500_000, creditCents: 0 },
      { account: "cash", debitCents: 0, creditCents: 490_000 },
      { account: "fee_income", debitCents: 0, creditCents: 10_000 },
    ]);
    expect(() => disbursementEntries(500_000, 500_000)).toThrow(RangeError);
  });

  test("a late fee debits fees receivable and credits fee income", () => {
    expect(lateFeeEntries(2_500)).toEqual([
      { account: "fees_receivable", debitCents: 2_500, creditCents: 0 },
      { account: "fee_income", debitCents: 0, creditCents: 2_500 },
    ]);
    expect(() => lateFeeEntries(0)).toThrow(RangeError);
  });

  test("a repayment debits cash and credits principal and interest income", () => {
    const lines = repaymentEntries({ principalCents: 78_849, interestCents: 10_000 });
    expect(lines).toEqual([
      { account: "cash", debitCents: 88_849, creditCents: 0 },
      { account: "loans_receivable", debitCents: 0, creditCents: 78_849 },
      { account: "interest_income", debitCents: 0, creditCents: 10_000 },
    ]);
    expect(totals(lines).debit).toBe(totals(lines).credit);
  });

  test("an interest-only repayment posts no zero line", () => {
    expect(repaymentEntries({ principalCents: 0, interestCents: 500 }).map((line) => line.account)).toEqual([
      "cash",
      "interest_income",
    ]);
  });

  test("accrued interest is settled from interest receivable first, the rest is income", () => {
    const accrual = interestAccrualEntries(10_000);
    expect(accrual).toEqual([
      { account: "interest_receivable", debitCents: 10_000, creditCents: 0 },
      { account: "interest_income", debitCents: 0, creditCents: 10_000 },
    ]);
    const lines = repaymentEntries(
      { principalCents: 1_000, interestCents: 12_000 },
      { accruedInterestCents: 10_000 },
    );
    expect(lines).toContainEqual({ account: "interest_receivable", debitCents: 0, creditCents: 10_000 });
    expect(lines).toContainEqual({ account: "interest_income", debitCents: 0, creditCents: 2_000 });
    const books = trialBalance([...accrual, ...lines]);
    expect(books.balanced).toBe(true);
    expect(books.accounts.find((row) => row.account === "interest_income")?.balanceCents).toBe(12_000);
    expect(books.accounts.find((row) => row.account === "interest_receivable")?.balanceCents).toBe(0);
  });

  test.each([
    () => disbursementEntries(0),
    () => disbursementEntries(-5),
    () => disbursementEntries(1.5),
    () => repaymentEntries({ principalCents: 0, interestCents: 0 }),
    () => repaymentEntries({ principalCents: -1, interestCents: 10 }),
    () => interestAccrualEntries(0),
  ])("refuses an empty, negative or fractional amount (%#)", (build) => {
    expect(build).toThrow(RangeError);
  });

  test("assertBalanced catches unequal sides and two-sided lines", () => {
    expect(() => assertBalanced([{ account: "cash", debitCents: 5, creditCents: 0 }])).toThrow(
      UnbalancedJournalError,
    );
    expect(() =>
      assertBalanced([
        { account: "cash", debitCents: 5, creditCents: 5 },
        { account: "loans_receivable", debitCents: 0, creditCents: 0 },
      ]),
    ).toThrow("either a debit or a credit");
    expect(() => assertBalanced([])).not.toThrow();
  });
});

describe("trial balance", () => {
  test("a loan's whole life balances at every step and ends with the receivable at zero", () => {
    let rows = unpaidInstalments();
    const lines: JournalLine[] = [...disbursementEntries(1_000_000)];
    expect(trialBalance(lines).balanced).toBe(true);
    for (const amount of [88_849, 50_000, 200_000]) {
      const allocation = allocateRepayment(rows, amount);
      rows = applyAllocation(rows, allocation);
      lines.push(...repaymentEntries(allocation));
      expect(trialBalance(lines).balanced).toBe(true);
    }
    const last = allocateRepayment(rows, outstandingCents(rows));
    lines.push(...repaymentEntries(last));
    const books = trialBalance(lines);
    expect(books.balanced).toBe(true);
    expect(books.totalDebitCents).toBe(books.totalCreditCents);
    expect(Object.fromEntries(books.accounts.map((row) => [row.account, row.balanceCents]))).toEqual({
      cash: 66_186, // net cash in: the interest earned
      loans_receivable: 0,
      interest_receivable: 0,
      interest_income: 66_186,
      overpayments: 0,
      fees_receivable: 0,
      fee_income: 0,
      loan_losses: 0,
    });
  });

  test("credits money received beyond what was owed to overpayments, a liability", () => {
    const lines = repaymentEntries({ principalCents: 9_000, interestCents: 1_000, unallocatedCents: 250 });
    expect(lines).toEqual([
      { account: "cash", debitCents: 10_250, creditCents: 0 },
      { account: "loans_receivable", debitCents: 0, creditCents: 9_000 },
      { account: "interest_income", debitCents: 0, creditCents: 1_000 },
      { account: "overpayments", debitCents: 0, creditCents: 250 },
    ]);
    const onlyExcess = repaymentEntries({ principalCents: 0, interestCents: 0, unallocatedCents: 500 });
    expect(
      trialBalance(onlyExcess).accounts.find((row) => row.account === "overpayments")?.balanceCents,
    ).toBe(500);
    expect(() => repaymentEntries({ principalCents: 0, interestCents: 0, unallocatedCents: -1 })).toThrow(
      RangeError,
    );
  });

  test("lists every account even with no lines, and flags unbalanced input", () => {
    const empty = trialBalance([]);
    expect(empty.accounts.map((row) => row.account)).toEqual([
      "cash",
      "loans_receivable",
      "interest_receivable",
      "interest_income",
      "overpayments",
      "fees_receivable",
      "fee_income",
      "loan_losses",
    ]);
    expect(empty.balanced).toBe(true);
    expect(trialBalance([{ account: "cash", debitCents: 1, creditCents: 0 }]).balanced).toBe(false);
  });
});

import { describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import { auditLog, journalEntries, moneyMovements, repayments } from "../../../db/schema";
import { platformPaymentRecord } from "../../../server/credit/payment-record";
import { addMonthsClamped, utcDay } from "../../../server/loans/dates";
import { runDelinquency } from "../../../server/loans/delinquency-job";
import { ledgerTrialBalance } from "../../../server/loans/ledger";
import { loanSettings } from "../../../server/loans/settings";
import { callerWithKey, makeApplicant, newKey } from "../../helpers/loans";
import { settleAsProvider } from "../../helpers/payments";

import {
  application,
  apply,
  DAY,
  deps,
  disbursedLoan,
  driver,
  failure,
  repay,
  system,
  useLoansFixture,
} from "./fixture";

// Repayments, delinquency, and the payment record feeding the score.
useLoansFixture();

describe(`repayments (${driver})`, () => {
  it("books nothing until the payment settles, then interest before principal, due instalments first", async () => {
    const applicant = await makeApplicant(deps);
    const loan = await disbursedLoan(applicant, new Date(), { ...application, amount: "1200.00" });
    const detail = await applicant.caller.loans.get({ id: loan.id });
    const interest1 = detail.schedule[0]?.interest as string;

    const pending = await (await callerWithKey(deps, applicant.token, newKey())).loans.repay({
      id: loan.id,
      amount: "50.00",
    });
    expect(pending).toMatchObject({ loanId: loan.id, amount: "50.00", status: "pending", settledAt: null });
    expect(pending.reference).toMatch(/^pay_[A-Za-z0-9_-]{24}$/);
    const untouched = await applicant.caller.loans.get({ id: loan.id });
    expect(untouched).toMatchObject({ paid: "0.00", outstanding: detail.outstanding });
    expect(untouched.payments).toEqual([expect.objectContaining({ id: pending.id, status: "pending" })]);
    expect((await ledgerTrialBalance(deps.db, { loanId: loan.id })).entries).toBe(1);

    await settleAsProvider(deps, pending);
    const [first] = await deps.db.select().from(repayments).where(eq(repayments.paymentId, pending.id));
    expect(first).toMatchObject({
      amountCents: 5_000,
      interestCents: Math.round(Number(interest1) * 100),
      principalCents: 5_000 - Math.round(Number(interest1) * 100),
      unallocatedCents: 0,
      allocations: [{ n: 1, interestCents: Math.round(Number(interest1) * 100) }],
    });
    const after = await applicant.caller.loans.get({ id: loan.id });
    expect(after.schedule[0]).toMatchObject({ paid: "50.00", state: "partially_paid" });
    expect(after.paid).toBe("50.00");
    expect(after.payments[0]).toMatchObject({
      status: "settled",
      settledAmount: "50.00",
      settledVia: "provider",
    });

    const overpay = await failure(
      (await callerWithKey(deps, applicant.token, newKey())).loans.repay({ id: loan.id, amount: "999999" }),
    );
    expect(overpay).toMatchObject({ code: "UNPROCESSABLE_CONTENT", appCode: "OVERPAYMENT" });
    expect(overpay.message).toContain(`outstanding ${after.outstanding}`);

    const { booked, loan: closed } = await repay(applicant, loan.id, after.outstanding);
    expect(booked.allocations.map((line) => line.n)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(closed).toMatchObject({
      status: "repaid",
      outstanding: "0.00",
      paid: closed.totalPayable,
      nextStatuses: [],
    });
    expect(closed.closedAt).not.toBeNull();
    expect(closed.schedule.every((row) => row.state === "paid" && row.paidAt !== null)).toBe(true);
    expect(closed.history.at(-1)).toMatchObject({ from: "disbursed", to: "repaid", actorId: null });

    const ledger = await ledgerTrialBalance(deps.db, { loanId: loan.id });
    const balanceOf = (account: string) => ledger.accounts.find((row) => row.account === account)?.balance;
    expect(balanceOf("loans_receivable")).toBe("0.00");
    expect(balanceOf("interest_income")).toBe(closed.totalInterest);
    expect(balanceOf("cash")).toBe(closed.totalInterest);
    expect(balanceOf("overpayments")).toBe("0.00");
    expect(ledger).toMatchObject({ balanced: true, entries: 3 });

    const movements = await deps.db
      .select({
        kind: moneyMovements.kind,
        direction: moneyMovements.direction,
        amount: moneyMovements.amountCents,
      })
      .from(moneyMovements)
      .where(eq(moneyMovements.reference, loan.id));
    expect(movements.map((row): (string | number)[] => [row.kind, row.direction, row.amount]).sort()).toEqual(
      [
        ["disbursement", "in", 120_000],
        ["repayment", "out", 5_000],
        ["repayment", "out", Math.round(Number(after.outstanding) * 100)],
      ].sort(),
    );

    const more = await failure(
      (await callerWithKey(deps, applicant.token, newKey())).loans.repay({ id: loan.id, amount: 1 }),
    );
    expect(more).toMatchObject({ code: "CONFLICT", appCode: "LOAN_NOT_REPAYABLE" });
  });

  it("books what arrived: less leaves the rest on the loan, more is owed back to the borrower", async () => {
    const applicant = await makeApplicant(deps);
    const loan = await disbursedLoan(applicant, new Date(), { ...application, amount: "1200.00" });
    const caller = await callerWithKey(deps, applicant.token, newKey());
    const asked = await caller.loans.repay({ id: loan.id, amount: "100.00" });
    await settleAsProvider(deps, asked, { amount: "60.00" });
    const short = await applicant.caller.loans.get({ id: loan.id });
    expect(short).toMatchObject({ paid: "60.00", status: "disbursed" });
    expect(short.payments[0]).toMatchObject({ amount: "100.00", settledAmount: "60.00", status: "settled" });

    const all = await (await callerWithKey(deps, applicant.token, newKey())).loans.repay({
      id: loan.id,
      amount: short.outstanding,
    });
    const extraCents = 2_500;
    const received = ((Math.round(Number(short.outstanding) * 100) + extraCents) / 100).toFixed(2);
    await settleAsProvider(deps, all, { amount: received });
    const closed = await applicant.caller.loans.get({ id: loan.id });
    expect(closed).toMatchObject({ status: "repaid", outstanding: "0.00" });
    const [booked] = await deps.db.select().from(repayments).where(eq(repayments.paymentId, all.id));
    expect(booked?.unallocatedCents).toBe(extraCents);
    const ledger = await ledgerTrialBalance(deps.db, { loanId: loan.id });
    expect(ledger.accounts.find((row) => row.account === "overpayments")?.balance).toBe("25.00");
  });

  it("starts a retried repayment once, concurrent retries included, and books it once", async () => {
    const applicant = await makeApplicant(deps);
    const loan = await disbursedLoan(applicant, new Date());
    const caller = await callerWithKey(deps, applicant.token, newKey());
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => caller.loans.repay({ id: loan.id, amount: "100" })),
    );
    expect(new Set(answers.map((answer) => answer.id)).size).toBe(1);
    const payment = answers[0] as (typeof answers)[number];
    expect((await applicant.caller.loans.get({ id: loan.id })).payments).toHaveLength(1);
    const reused = await failure(caller.loans.repay({ id: loan.id, amount: "101" }));
    expect(reused.appCode).toBe("IDEMPOTENCY_KEY_REUSED");

    const deliveries = await Promise.all(Array.from({ length: 3 }, () => settleAsProvider(deps, payment)));
    expect(deliveries.map((result) => result.outcome).sort()).toEqual(["ignored", "ignored", "settled"]);
    const rows = await deps.db.select().from(repayments).where(eq(repayments.loanId, loan.id));
    expect(rows).toHaveLength(1);
    const entries = await deps.db.select().from(journalEntries).where(eq(journalEntries.loanId, loan.id));
    expect(entries.map((entry) => entry.kind).sort()).toEqual(["disbursement", "repayment"]);
  });

  it("refuses repayments before disbursement and on another user's loan", async () => {
    const applicant = await makeApplicant(deps);
    const loan = await apply(applicant);
    const early = await failure(
      (await callerWithKey(deps, applicant.token, newKey())).loans.repay({ id: loan.id, amount: 10 }),
    );
    expect(early).toMatchObject({ code: "CONFLICT", appCode: "LOAN_NOT_REPAYABLE" });
    const other = await makeApplicant(deps, { kyc: false, scoredAt: false });
    const stranger = await failure(
      (await callerWithKey(deps, other.token, newKey())).loans.repay({ id: loan.id, amount: 10 }),
    );
    expect(stranger.code).toBe("NOT_FOUND");
  });
});

describe(`delinquency (${driver})`, () => {
  it("marks an instalment late past the grace days and defaults the loan past the default days", async () => {
    const { LOAN_GRACE_DAYS: grace, LOAN_DEFAULT_AFTER_DAYS: defaultAfter } = deps.config;
    const policy = loanSettings(deps.config).delinquency;
    const applicant = await makeApplicant(deps);
    // In the past, so that only loans paid out that long ago (none of the other tests') are due by these clocks.
    const start = new Date(Date.now() - 400 * DAY);
    const loan = await disbursedLoan(applicant, start);
    const firstDue = addMonthsClamped(utcDay(start), 1);
    const at = (days: number) => new Date(firstDue.getTime() + days * DAY + 12 * 3600_000);
    const stateOf = async () => (await applicant.caller.loans.get({ id: loan.id })).schedule[0]?.state;

    await runDelinquency(deps.db, system, at(grace), { policy });
    expect(await stateOf()).toBe("pending");

    const late = await runDelinquency(deps.db, system, at(grace + 1), { policy });
    expect(late.instalmentsMarkedLate).toBeGreaterThanOrEqual(1);
    const detail = await applicant.caller.loans.get({ id: loan.id });
    expect(detail.status).toBe("disbursed");
    expect(detail.schedule[0]).toMatchObject({ state: "late" });
    expect(detail.schedule[1]?.state).toBe("pending");
    const again = await runDelinquency(deps.db, system, at(grace + 1), { policy });
    expect(again.defaultedLoanIds).not.toContain(loan.id);

    await runDelinquency(deps.db, system, at(defaultAfter), { policy });
    expect((await applicant.caller.loans.get({ id: loan.id })).status).toBe("disbursed");
    const run = await runDelinquency(deps.db, system, at(defaultAfter + 1), { policy });
    expect(run.defaultedLoanIds).toContain(loan.id);
    const defaulted = await applicant.caller.loans.get({ id: loan.id });
    expect(defaulted.status).toBe("defaulted");
    expect(defaulted.history.at(-1)).toMatchObject({ from: "disbursed", to: "defaulted", actorId: null });
    expect(defaulted.history.at(-1)?.reason).toContain(`${defaultAfter + 1} days past due`);
    expect(defaulted.schedule.slice(0, 3).every((row) => row.state === "late")).toBe(true);
    const audits = await deps.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.subjectId, loan.id));
    expect(audits.map((row) => row.action)).toContain("loan.instalments_late");
    expect(audits.map((row) => row.action)).toContain("loan.defaulted");
    const record = await platformPaymentRecord(deps.db, applicant.user.id);
    expect(record).toMatchObject({ defaultedLoans: 1, openLoans: 0 });
    expect(record.lateInstalments).toBeGreaterThanOrEqual(3);
  });
});

describe(`the payment record feeds the score (${driver})`, () => {
  it("counts a late repayment, which lowers the next score", async () => {
    const applicant = await makeApplicant(deps);
    // Paid out 70 days ago: the first instalment fell due about 40 days ago, far past the grace period.
    const loan = await disbursedLoan(applicant, new Date(Date.now() - 70 * DAY), {
      ...application,
      amount: "3000",
    });
    const before = await applicant.caller.credit.calculateScore();
    expect(await platformPaymentRecord(deps.db, applicant.user.id)).toMatchObject({
      onTimeInstalments: 0,
      lateInstalments: 0,
      openLoans: 1,
    });
    const detail = await applicant.caller.loans.get({ id: loan.id });
    await repay(applicant, loan.id, detail.schedule[0]?.payment as string);
    const record = await platformPaymentRecord(deps.db, applicant.user.id);
    expect(record).toMatchObject({ lateInstalments: 1, onTimeInstalments: 0, openLoans: 1 });
    expect(record.lateByDaysPastDue).toEqual({ from30to59: 1, from60to89: 0, from90: 0 });
    const after = await applicant.caller.credit.calculateScore();
    expect(after.score).toBeLessThan(before.score);
  });

  it("counts an instalment paid by its due day as on time", async () => {
    const applicant = await makeApplicant(deps);
    const loan = await disbursedLoan(applicant, new Date(), { ...application, amount: "3000" });
    const detail = await applicant.caller.loans.get({ id: loan.id });
    await repay(applicant, loan.id, detail.schedule[0]?.payment as string);
    expect(await platformPaymentRecord(deps.db, applicant.user.id)).toMatchObject({
      onTimeInstalments: 1,
      lateInstalments: 0,
      openLoans: 1,
    });
  });
});

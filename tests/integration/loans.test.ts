import { afterEach, beforeAll, describe, expect, it } from "bun:test";
import { TRPCError } from "@trpc/server";
import { and, count, eq } from "drizzle-orm";
import {
  auditLog,
  chainTransactions,
  idempotencyKeys,
  journalEntries,
  loanInstalments,
  loans,
  loanTransitions,
  moneyMovements,
  repayments,
} from "../../db/schema";
import type { ChainService } from "../../server/chain/connection";
import { amlConfig, recordMovement } from "../../server/compliance/aml/monitoring";
import type { AppDeps } from "../../server/context";
import { platformPaymentRecord } from "../../server/credit/payment-record";
import { DomainError } from "../../server/errors";
import type { Jobs } from "../../server/jobs/jobs";
import { addMonthsClamped, isoDate, utcDay } from "../../server/loans/dates";
import { runDelinquency } from "../../server/loans/delinquency-job";
import { ledgerTrialBalance } from "../../server/loans/ledger";
import { loanSettings } from "../../server/loans/settings";
import { approveLoan, disburseLoan } from "../../server/loans/workflow";
import { testDeps } from "../helpers/app";
import { FULL_PROFILE } from "../helpers/credit";
import { callerWithKey, expectBooksBalanced, makeApplicant, makeStaff, newKey } from "../helpers/loans";
import { settleAsProvider } from "../helpers/payments";

const driver = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";
const DAY = 86_400_000;
const system = { actorId: null, ip: null, requestId: "test" };

let deps: AppDeps;
let underwriter: Awaited<ReturnType<typeof makeStaff>>;
/** Four eyes: the one who approves does not pay out. */
let disburser: Awaited<ReturnType<typeof makeStaff>>;

beforeAll(async () => {
  deps = await testDeps({ RATE_LIMIT_REGISTER_IP: "100000/3600" });
  underwriter = await makeStaff(deps, "underwriter");
  disburser = await makeStaff(deps, "underwriter");
});

const disburseDeps = (outbox = {}) => ({ outbox, aml: amlConfig(deps.config), fourEyes: true });

afterEach(async () => {
  await expectBooksBalanced(deps);
});

/** The error a procedure threw: its tRPC code and the domain's stable code. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; appCode: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof TRPCError) && !(error instanceof DomainError)) throw error;
    const cause = error instanceof TRPCError ? error.cause : error;
    return {
      code: error instanceof TRPCError ? error.code : error.kind,
      appCode: cause instanceof DomainError ? cause.code : "",
      message: error.message,
    };
  }
  throw new Error("expected the call to fail");
}

type Applicant = Awaited<ReturnType<typeof makeApplicant>>;

const application = { amount: "10000.00", termMonths: 12, purpose: "Home improvement" };

async function apply(applicant: Applicant, body: Record<string, unknown> = application, key = newKey()) {
  const caller = await callerWithKey(deps, applicant.token, key);
  return caller.loans.submit(body as typeof application);
}

/** A loan approved and paid out at `at` (the schedule's dates start there). */
async function disbursedLoan(applicant: Applicant, at: Date, body: Record<string, unknown> = application) {
  const loan = await apply(applicant, body);
  await approveLoan(deps.db, system, {}, underwriter.user, { loanId: loan.id, now: at });
  await disburseLoan(deps.db, system, disburseDeps(), disburser.user, { loanId: loan.id, now: at });
  return loan;
}

/** The borrower starts a repayment and the provider settles it; the loan as it is afterwards. */
async function repay(applicant: Applicant, loanId: string, amount: string | number, now?: Date) {
  const caller = await callerWithKey(deps, applicant.token, newKey());
  const payment = await caller.loans.repay({ id: loanId, amount });
  const result = await settleAsProvider(deps, payment, { now });
  expect(result).toMatchObject({ outcome: "settled", paymentId: payment.id, paymentStatus: "settled" });
  const [booked] = await deps.db.select().from(repayments).where(eq(repayments.paymentId, payment.id));
  if (!booked) throw new Error("the settled payment was not booked");
  return { payment, booked, loan: await applicant.caller.loans.get({ id: loanId }) };
}

describe(`loans.calculate (${driver})`, () => {
  it("gives 888.49 a month for 10,000.00 over 12 months at 12 %, principal summing to the amount", async () => {
    const { caller } = await makeApplicant(deps);
    const terms = await caller.loans.calculate({ amount: "10000.00", termMonths: 12, apr: "12.00" });
    expect(terms).toMatchObject({
      apr: "12.00",
      scheduleType: "equal_installments",
      monthlyPayment: "888.49",
      totalInterest: "661.86",
      totalPayable: "10661.86",
      pricing: { source: "requested", band: null, score: null },
    });
    expect(terms.schedule).toHaveLength(12);
    expect(terms.schedule[0]).toMatchObject({
      n: 1,
      payment: "888.49",
      interest: "100.00",
      principal: "788.49",
    });
    expect(terms.schedule.at(-1)).toMatchObject({ n: 12, payment: "888.47", balance: "0.00" });
    const principal = terms.schedule.reduce((sum, row) => sum + Math.round(Number(row.principal) * 100), 0);
    expect(principal).toBe(1_000_000);
    expect(terms.schedule[0]?.dueDate).toBe(isoDate(addMonthsClamped(utcDay(new Date()), 1)));
    expect(terms.disclosure).toEqual({
      apr: "12.00",
      financeCharge: "661.86",
      amountFinanced: "10000.00",
      totalOfPayments: "10661.86",
      payments: [
        { count: 11, amount: "888.49", firstDueDate: terms.schedule[0]?.dueDate as string },
        { count: 1, amount: "888.47", firstDueDate: terms.schedule[11]?.dueDate as string },
      ],
    });
  });

  it("builds declining-balance and zero-rate schedules", async () => {
    const { caller } = await makeApplicant(deps);
    const declining = await caller.loans.calculate({
      amount: 12000,
      termMonths: 12,
      apr: 12,
      scheduleType: "equal_principal",
    });
    expect(declining.schedule.map((row) => row.principal)).toEqual(Array(12).fill("1000.00"));
    expect(declining.schedule[0]?.payment).toBe("1120.00");
    expect(declining.schedule[11]?.payment).toBe("1010.00");
    expect(declining).toMatchObject({ monthlyPayment: "1120.00", totalInterest: "780.00" });

    const free = await caller.loans.calculate({ amount: "1000.00", termMonths: 3, apr: "0" });
    expect(free.schedule.map((row) => row.payment)).toEqual(["333.33", "333.33", "333.34"]);
    expect(free).toMatchObject({ totalInterest: "0.00", totalPayable: "1000.00" });
  });

  it("prices from the caller's latest score band through the pricing table", async () => {
    const { caller } = await makeApplicant(deps);
    const terms = await caller.loans.calculate({ amount: "5000", termMonths: 24 });
    const band = terms.pricing.band;
    expect(terms.pricing.source).toBe("score");
    expect(band).not.toBeNull();
    expect(terms.apr).toBe(
      (deps.config.LOAN_PRICING_TABLE[band as keyof typeof deps.config.LOAN_PRICING_TABLE] / 100).toFixed(2),
    );
    const longest = await caller.loans.calculate({ amount: "50000", termMonths: 360 });
    expect(longest.schedule).toHaveLength(360);
    expect(longest.schedule.at(-1)?.balance).toBe("0.00");
  });

  it("answers SCORE_MISSING before the first score, unless an apr is given", async () => {
    const { caller } = await makeApplicant(deps, { scoredAt: false });
    expect(await failure(caller.loans.calculate({ amount: "5000", termMonths: 24 }))).toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      appCode: "SCORE_MISSING",
    });
    expect((await caller.loans.calculate({ amount: "5000", termMonths: 24, apr: "10" })).apr).toBe("10.00");
  });

  it("refuses amounts and terms out of range, zero, negative or not numbers, naming the field", async () => {
    const { caller } = await makeApplicant(deps);
    // The range comes from config (a domain error with its code); the shape from the input schema (zod).
    const cases: [Record<string, unknown>, string, string][] = [
      [{ amount: "499.99", termMonths: 12 }, "AMOUNT_OUT_OF_RANGE", "amount must be from 500.00 to 50000.00"],
      [{ amount: "50000.01", termMonths: 12 }, "AMOUNT_OUT_OF_RANGE", "amount"],
      [{ amount: "1000", termMonths: 2 }, "TERM_OUT_OF_RANGE", "termMonths must be from 3 to 360"],
      [{ amount: "1000", termMonths: 361 }, "TERM_OUT_OF_RANGE", "termMonths"],
      [{ amount: "0", termMonths: 12 }, "", "amount must be greater than zero"],
      [{ amount: "-5", termMonths: 12 }, "", "amount must not be negative"],
      [{ amount: "lots", termMonths: 12 }, "", "amount must be a number"],
      [{ amount: "10.001", termMonths: 12 }, "", "amount must be a number with at most two decimal places"],
      [{ termMonths: 12 }, "", "amount is required"],
      [{ amount: "1000", termMonths: 1.5 }, "", "termMonths must be a whole number"],
      [{ amount: "1000", termMonths: "twelve" }, "", "termMonths must be a whole number"],
      [{ amount: "1000", termMonths: 12, apr: "101" }, "", "apr must be at most 100.00"],
      [{ amount: "1000", termMonths: 12, scheduleType: "balloon" }, "", "scheduleType must be one of"],
    ];
    for (const [input, code, message] of cases) {
      const error = await failure(caller.loans.calculate({ apr: "10", ...input } as never));
      expect(error).toMatchObject({ code: "BAD_REQUEST", appCode: code });
      expect(error.message).toContain(message);
    }
  });
});

describe(`loans.apply (${driver})`, () => {
  it("stores a submitted loan priced from the score, with its transition and audit entry", async () => {
    const applicant = await makeApplicant(deps);
    const loan = await apply(applicant);
    expect(loan).toMatchObject({
      userId: applicant.user.id,
      status: "submitted",
      amount: "10000.00",
      termMonths: 12,
      purpose: "Home improvement",
      scheduleType: "equal_installments",
      nextStatuses: ["approved", "rejected", "withdrawn"],
      approvedAt: null,
    });
    expect(loan.score).toBeGreaterThanOrEqual(deps.config.LOAN_SCORE_FLOOR);
    const history = await deps.db.select().from(loanTransitions).where(eq(loanTransitions.loanId, loan.id));
    expect(history).toMatchObject([{ fromStatus: null, toStatus: "submitted", actorId: applicant.user.id }]);
    const [audit] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "loan.submitted"), eq(auditLog.subjectId, loan.id)));
    expect(audit?.actorId).toBe(applicant.user.id);
  });

  it("requires an idempotency key", async () => {
    const applicant = await makeApplicant(deps);
    const error = await failure(applicant.caller.loans.submit(application));
    expect(error).toMatchObject({ code: "BAD_REQUEST", appCode: "IDEMPOTENCY_KEY_REQUIRED" });
    expect(error.message).toContain("Idempotency-Key");
  });

  it("refuses each ineligible applicant with its own code and a plain reason", async () => {
    const expectRefusal = async (applicant: Applicant, code: string, reason: string, body = application) => {
      const error = await failure(apply(applicant, body));
      expect(error).toMatchObject({ code: "UNPROCESSABLE_CONTENT", appCode: code });
      expect(error.message).toContain(reason);
    };
    await expectRefusal(
      await makeApplicant(deps, { kyc: false }),
      "KYC_NOT_VERIFIED",
      "identity must be verified",
    );
    await expectRefusal(await makeApplicant(deps, { scoredAt: false }), "SCORE_MISSING", "calculate one");
    await expectRefusal(
      await makeApplicant(deps, { scoredAt: new Date(Date.now() - 31 * DAY) }),
      "SCORE_STALE",
      "31 days old",
    );
    const poor = { ...FULL_PROFILE, revolvingUtilizationPercent: 95, pastDue30to59: 3, pastDue90Plus: 2 };
    await expectRefusal(
      await makeApplicant(deps, { profile: poor }),
      "SCORE_BELOW_FLOOR",
      "below the minimum of 600",
    );
    await expectRefusal(await makeApplicant(deps), "DTI_TOO_HIGH", "the maximum is 43 %", {
      ...application,
      amount: "50000.00",
    });

    const flagged = await makeApplicant(deps);
    // A payout four times the reporting threshold is a high-risk AML alert.
    await recordMovement(deps.db, system, amlConfig(deps.config), {
      userId: flagged.user.id,
      kind: "disbursement",
      direction: "in",
      amountCents: 4 * deps.config.AML_REPORTING_THRESHOLD,
    });
    // Not disclosed to the applicant: the generic refusal; the real code is kept for underwriters.
    await expectRefusal(flagged, "NOT_ELIGIBLE", "cannot take a loan application from you");
    const refusals = await underwriter.caller.loans.refusals({ userId: flagged.user.id });
    expect(refusals.items[0]).toMatchObject({ code: "AML_HIGH_RISK", disclosedCode: "NOT_ELIGIBLE" });

    const busy = await makeApplicant(deps);
    for (let i = 0; i < deps.config.LOAN_MAX_OPEN_APPLICATIONS; i++)
      await apply(busy, { ...application, amount: "1000" });
    await expectRefusal(busy, "TOO_MANY_OPEN_APPLICATIONS", "the limit is 3", {
      ...application,
      amount: "1000",
    });

    const defaulter = await makeApplicant(deps);
    const start = new Date(Date.now() - 200 * DAY);
    const bad = await disbursedLoan(defaulter, start, { ...application, amount: "1000" });
    await runDelinquency(deps.db, system, new Date(), { policy: loanSettings(deps.config).delinquency });
    const [row] = await deps.db.select({ status: loans.status }).from(loans).where(eq(loans.id, bad.id));
    expect(row?.status).toBe("defaulted");
    await expectRefusal(defaulter, "HAS_DEFAULTED_LOAN", "loan in default");
  });

  it("does not store a refusal: the same key is evaluated afresh once the cause is fixed", async () => {
    const applicant = await makeApplicant(deps, { kyc: false });
    const key = newKey();
    expect((await failure(apply(applicant, application, key))).appCode).toBe("KYC_NOT_VERIFIED");
    await applicant.caller.compliance.submitKyc({
      legalName: "Maria Gonzalez",
      dateOfBirth: "1980-03-15",
      country: "DE",
      address: "Lindenstraße 12, 10969 Berlin",
      documentType: "passport",
      documentNumber: "C01X00T47",
    });
    expect((await apply(applicant, application, key)).status).toBe("submitted");
  });
});

describe(`idempotent applications (${driver})`, () => {
  const loansOf = async (userId: string) =>
    (await deps.db.select({ n: count() }).from(loans).where(eq(loans.userId, userId)))[0]?.n;

  it("returns the same loan for a retry with the same key and body, also written differently", async () => {
    const applicant = await makeApplicant(deps);
    const key = newKey();
    const first = await apply(applicant, application, key);
    const again = await apply(applicant, { ...application, amount: 10000 }, key);
    expect(again).toEqual(first);
    expect(await loansOf(applicant.user.id)).toBe(1);
    const [stored] = await deps.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.userId, applicant.user.id), eq(idempotencyKeys.key, key)));
    expect(stored).toMatchObject({ scope: "loans.apply", responseStatus: 200 });
  });

  it("refuses the same key with a different body with 422 IDEMPOTENCY_KEY_REUSED", async () => {
    const applicant = await makeApplicant(deps);
    const key = newKey();
    await apply(applicant, application, key);
    const error = await failure(apply(applicant, { ...application, termMonths: 24 }, key));
    expect(error).toMatchObject({ code: "UNPROCESSABLE_CONTENT", appCode: "IDEMPOTENCY_KEY_REUSED" });
    expect(await loansOf(applicant.user.id)).toBe(1);
  });

  it("makes one loan when retries with the same key arrive at once", async () => {
    const applicant = await makeApplicant(deps);
    const key = newKey();
    const answers = await Promise.all(Array.from({ length: 6 }, () => apply(applicant, application, key)));
    expect(new Set(answers.map((loan) => loan.id)).size).toBe(1);
    expect(await loansOf(applicant.user.id)).toBe(1);
  });

  it("keeps keys apart per user, and the input key wins over the header", async () => {
    const [one, two] = [await makeApplicant(deps), await makeApplicant(deps)];
    const key = newKey();
    const a = await apply(one, application, key);
    const b = await apply(two, application, key);
    expect(a.id).not.toBe(b.id);
    const caller = await callerWithKey(deps, one.token, "header-key");
    const c = await caller.loans.submit({ ...application, amount: "2000", idempotencyKey: "input-key" });
    const [row] = await deps.db
      .select({ key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.userId, one.user.id), eq(idempotencyKeys.key, "input-key")));
    expect(row?.key).toBe("input-key");
    expect(
      (await caller.loans.submit({ ...application, amount: "2000", idempotencyKey: "input-key" })).id,
    ).toBe(c.id);
  });
});

describe(`the underwriting workflow (${driver})`, () => {
  it("gives one approval and one 409 when two underwriters approve at once", async () => {
    const loan = await apply(await makeApplicant(deps));
    const second = await makeStaff(deps, "admin");
    const results = await Promise.allSettled([
      underwriter.caller.loans.approve({ id: loan.id }),
      second.caller.loans.approve({ id: loan.id }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(TRPCError);
    expect(refused.reason.code).toBe("CONFLICT");
    expect(refused.reason.message).toContain("The loan is approved");
    const approvals = await deps.db
      .select()
      .from(loanTransitions)
      .where(and(eq(loanTransitions.loanId, loan.id), eq(loanTransitions.toStatus, "approved")));
    expect(approvals).toHaveLength(1);
    const instalments = await deps.db
      .select({ n: count() })
      .from(loanInstalments)
      .where(eq(loanInstalments.loanId, loan.id));
    expect(instalments[0]?.n).toBe(12);
  });

  it("lets one of an approval and a rejection racing each other win", async () => {
    const loan = await apply(await makeApplicant(deps));
    const second = await makeStaff(deps, "underwriter");
    const results = await Promise.allSettled([
      underwriter.caller.loans.approve({ id: loan.id }),
      second.caller.loans.reject({ id: loan.id, reason: "Income not evidenced" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const history = await deps.db.select().from(loanTransitions).where(eq(loanTransitions.loanId, loan.id));
    expect(history).toHaveLength(2);
  });

  it("fixes the schedule at approval and dates it from disbursement", async () => {
    const applicant = await makeApplicant(deps);
    const loan = await apply(applicant, { ...application, scheduleType: "equal_principal" });
    const approved = await underwriter.caller.loans.approve({ id: loan.id, reason: "Stable income" });
    expect(approved.scheduleFixed).toBe(true);
    expect(approved.schedule.every((row) => row.dueDate === null)).toBe(true);
    expect(approved.schedule[0]).toMatchObject({
      principal: "833.33",
      interest: approved.schedule[0]?.interest,
    });
    const disbursed = await disburser.caller.loans.disburse({ id: loan.id });
    const day = utcDay(disbursed.disbursedAt as Date);
    expect(disbursed.schedule.map((row) => row.dueDate)).toEqual(
      Array.from({ length: 12 }, (_, i) => isoDate(addMonthsClamped(day, i + 1))),
    );
    expect(disbursed.schedule.map((row) => row.principal)).toEqual(
      approved.schedule.map((row) => row.principal),
    );
    expect(disbursed.outstanding).toBe(disbursed.totalPayable);
    expect(disbursed.history.map((item) => [item.from, item.to, item.actorId])).toEqual([
      [null, "submitted", applicant.user.id],
      ["submitted", "approved", underwriter.user.id],
      ["approved", "disbursed", disburser.user.id],
    ]);
    expect(disbursed.history[1]?.reason).toBe("Stable income");
    const ledger = await ledgerTrialBalance(deps.db, { loanId: loan.id });
    expect(ledger.accounts.find((row) => row.account === "loans_receivable")?.balance).toBe("10000.00");
    expect(ledger.accounts.find((row) => row.account === "cash")?.balance).toBe("-10000.00");
  });

  it("queues each status change for the chain in the transaction that makes it", async () => {
    const loan = await apply(await makeApplicant(deps));
    const sent: { queue: string; data: { status: string } }[] = [];
    const outbox = {
      chain: { publishQueue: "chain-publish.test" } as ChainService,
      jobs: {
        send: async (_tx: unknown, queue: string, data: { status: string }) => {
          sent.push({ queue, data });
          return crypto.randomUUID();
        },
      } as unknown as Jobs,
    };
    await approveLoan(deps.db, system, outbox, underwriter.user, { loanId: loan.id });
    await disburseLoan(deps.db, system, disburseDeps(outbox), disburser.user, { loanId: loan.id });
    expect(sent.map((job) => [job.queue, job.data.status])).toEqual([
      ["chain-publish.test", "approved"],
      ["chain-publish.test", "disbursed"],
    ]);
    const queued = await deps.db
      .select({ kind: chainTransactions.kind, summary: chainTransactions.summary })
      .from(chainTransactions)
      .where(eq(chainTransactions.referenceId, loan.id));
    expect(queued.map((row) => [row.kind, (row.summary as { status: string }).status])).toEqual([
      ["loan_status", "approved"],
      ["loan_status", "disbursed"],
    ]);
    const movements = await deps.db
      .select()
      .from(moneyMovements)
      .where(eq(moneyMovements.reference, loan.id));
    expect(movements).toMatchObject([{ kind: "disbursement", direction: "in", amountCents: 1_000_000 }]);
  });

  it("does not let an underwriter decide their own application", async () => {
    const own = await makeApplicant(deps);
    const loan = await apply(own);
    await deps.db.update(loans).set({ userId: underwriter.user.id }).where(eq(loans.id, loan.id));
    const error = await failure(underwriter.caller.loans.approve({ id: loan.id }));
    expect(error).toMatchObject({ code: "FORBIDDEN" });
  });
});

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

import { describe, expect, it } from "bun:test";
import { and, count, eq } from "drizzle-orm";
import { auditLog, idempotencyKeys, loans, loanTransitions } from "../../../db/schema";
import { amlConfig, recordMovement } from "../../../server/compliance/aml/monitoring";
import { addMonthsClamped, isoDate, utcDay } from "../../../server/loans/dates";
import { runDelinquency } from "../../../server/loans/delinquency-job";
import { loanSettings } from "../../../server/loans/settings";
import { FULL_PROFILE } from "../../helpers/credit";
import { callerWithKey, makeApplicant, newKey } from "../../helpers/loans";

import {
  type Applicant,
  application,
  apply,
  DAY,
  deps,
  disbursedLoan,
  driver,
  failure,
  system,
  underwriter,
  useLoansFixture,
} from "./fixture";

// Terms, applications and their idempotency.
useLoansFixture();

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
      prepaidFinanceCharge: "0.00",
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

/**
 * Finding 5, tried over HTTP as a borrower would: leaving income out to raise the score, declaring an absurd
 * income, and borrowing against a large income nobody checked.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { and, eq } from "drizzle-orm";
import { auditLog } from "../../db/schema";
import type { AppDeps } from "../../server/context";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { FULL_PROFILE } from "../helpers/credit";
import { LOAN_TEST_OVERRIDES, makeApplicant, makeStaff, newKey } from "../helpers/loans";
import { restClient } from "../helpers/rest";

let deps: AppDeps;
let server: TestServer;
let rest: ReturnType<typeof restClient>;
let underwriter: Awaited<ReturnType<typeof makeStaff>>;

beforeAll(async () => {
  deps = await testDeps({ ...LOAN_TEST_OVERRIDES, RATE_LIMIT_SCORE: "1000/86400" });
  server = await startTestServer(deps);
  rest = restClient(server.url);
  underwriter = await makeStaff(deps, "underwriter");
});
afterAll(async () => {
  await server.stop();
});

/** 30,000.00 a year against 2,000.00 of monthly debts: a debt-to-income far worse than average. */
const POOR_RATIO = { ...FULL_PROFILE, annualIncome: "30000.00", monthlyDebtPayments: "2000.00" };

describe("finding 5: no gaming the score", () => {
  it("leaving income out of a poor debt-to-income profile does not raise the stored score", async () => {
    const borrower = await makeApplicant(deps, { profile: POOR_RATIO, kyc: false, scoredAt: false });
    const declared = await rest("POST", "/credit/calculate-score", { token: borrower.token });
    expect(declared.status).toBe(200);

    expect(
      (await rest("PATCH", "/profile", { token: borrower.token, body: { annualIncome: null } })).status,
    ).toBe(200);
    const omitted = await rest("POST", "/credit/calculate-score", { token: borrower.token });
    expect(omitted.status).toBe(200);
    expect(omitted.body.score).toBeLessThanOrEqual(declared.body.score);
    expect(omitted.body.missingInputs).toContain("monthlyIncome");
    expect(omitted.body.reasons).toContainEqual(
      expect.objectContaining({ code: "P01", description: "Income not provided" }),
    );
  });

  it("simulations follow the same rule, for every optional field left out", async () => {
    const { token } = await makeApplicant(deps, { kyc: false, scoredAt: false });
    const full = { ...POOR_RATIO } as Record<string, unknown>;
    delete full.employmentStatus;
    delete full.employmentYears;
    delete full.housing;
    const baseline = await rest("POST", "/credit/simulate", { token, body: full });
    expect(baseline.status).toBe(200);
    for (const field of [
      "annualIncome",
      "monthlyDebtPayments",
      "dateOfBirth",
      "dependants",
      "openCreditLines",
      "realEstateLoans",
      "creditHistoryYears",
      "recentInquiries",
    ]) {
      const without = { ...full };
      delete without[field];
      const { status, body } = await rest("POST", "/credit/simulate", { token, body: without });
      expect({ field, status }).toEqual({ field, status: 200 });
      // The borrower's worst declarable value for the field scores at least this low; the value they had is one.
      expect({ field, higher: body.score > baseline.body.score }).toEqual({ field, higher: false });
    }
  });

  it("refuses a declared income or debt beyond PROFILE_MAX_ANNUAL_INCOME with 400, changing nothing", async () => {
    const { token } = await makeApplicant(deps, { kyc: false, scoredAt: false });
    const absurd = await rest("PATCH", "/profile", { token, body: { annualIncome: "90071992547409.91" } });
    expect(absurd).toMatchObject({
      status: 400,
      body: {
        code: "VALUE_TOO_LARGE",
        message: "annualIncome must be at most 10000000.00",
        details: { field: "annualIncome" },
      },
    });
    const debts = await rest("PATCH", "/profile", { token, body: { monthlyDebtPayments: "900000.00" } });
    expect(debts).toMatchObject({ status: 400, body: { details: { field: "monthlyDebtPayments" } } });
    expect((await rest("GET", "/profile", { token })).body.profile).toMatchObject({
      annualIncome: FULL_PROFILE.annualIncome,
      monthlyDebtPayments: FULL_PROFILE.monthlyDebtPayments,
    });
    const simulated = await rest("POST", "/credit/simulate", {
      token,
      body: { ...POOR_RATIO, annualIncome: "90071992547409.91" },
    });
    expect(simulated).toMatchObject({ status: 400, body: { code: "VALUE_TOO_LARGE" } });
    expect((await rest("PATCH", "/profile", { token, body: { annualIncome: "10000000.00" } })).status).toBe(
      200,
    );
  });

  it("an income above LOAN_INCOME_VERIFICATION_THRESHOLD counts only once a reviewer verified it", async () => {
    const borrower = await makeApplicant(deps, { profile: { ...FULL_PROFILE, annualIncome: "300000.00" } });
    const apply = () =>
      rest("POST", "/loans/apply", {
        token: borrower.token,
        body: { amount: "20000.00", termMonths: 24, purpose: "Roof" },
        headers: { "Idempotency-Key": newKey() },
      });
    const refused = await apply();
    expect(refused).toMatchObject({ status: 422, body: { code: "INCOME_NOT_VERIFIED" } });
    expect(refused.body.message).toContain("300000.00 a year is above 250000.00");

    const path = `/loans/applicants/${borrower.user.id}/income-verification`;
    const evidence = { annualIncome: "300000.00", evidence: "2024 tax return and three payslips" };
    expect((await rest("POST", path, { token: borrower.token, body: evidence })).status).toBe(403);
    expect((await rest("POST", path, { body: evidence })).status).toBe(401);
    const ownPath = `/loans/applicants/${underwriter.user.id}/income-verification`;
    expect((await rest("POST", ownPath, { token: underwriter.token, body: evidence })).status).toBe(403);
    const wrongAmount = await rest("POST", path, {
      token: underwriter.token,
      body: { ...evidence, annualIncome: "250000.00" },
    });
    expect(wrongAmount).toMatchObject({ status: 409, body: { code: "INCOME_CHANGED" } });
    expect((await rest("POST", path, { token: underwriter.token, body: { annualIncome: "1" } })).status).toBe(
      400,
    );

    const verified = await rest("POST", path, { token: underwriter.token, body: evidence });
    expect(verified).toMatchObject({
      status: 200,
      body: { userId: borrower.user.id, annualIncome: "300000.00", verifiedBy: underwriter.user.id },
    });
    expect((await rest("GET", "/profile", { token: borrower.token })).body.profile.annualIncomeVerified).toBe(
      true,
    );
    const [audit] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "profile.income_verified"), eq(auditLog.subjectId, borrower.user.id)));
    expect(audit).toMatchObject({ actorId: underwriter.user.id });
    expect((await apply()).status).toBe(200);

    // A new declaration is not what was verified.
    await rest("PATCH", "/profile", { token: borrower.token, body: { annualIncome: "900000.00" } });
    expect((await rest("GET", "/profile", { token: borrower.token })).body.profile.annualIncomeVerified).toBe(
      false,
    );
    expect(await apply()).toMatchObject({ status: 422, body: { code: "INCOME_NOT_VERIFIED" } });
  });
});

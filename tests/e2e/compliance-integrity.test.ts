/**
 * Finding 3 (the sanctions screen tips off the person screened, who walks around it), finding 4 (AML risk is
 * shown to the subject) and the AML half of finding 7 (two movements of one user evaluated out of time order),
 * tried over HTTP as the applicant and a launderer would.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { asc, eq } from "drizzle-orm";
import { moneyMovements } from "../../db/schema";
import type { AppDeps } from "../../server/context";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { FULL_PROFILE } from "../helpers/credit";
import { CLEAN_KYC, LOAN_TEST_OVERRIDES, makeApplicant, makeStaff, newKey } from "../helpers/loans";
import { newEventId, signedEvent, webhookSecret } from "../helpers/payments";
import { restClient } from "../helpers/rest";
import { TEST_PASSWORD, uniqueEmail, verificationTokenFor } from "../helpers/users";

let deps: AppDeps;
let server: TestServer;
let rest: ReturnType<typeof restClient>;
let admin: Awaited<ReturnType<typeof makeStaff>>;
let underwriter: Awaited<ReturnType<typeof makeStaff>>;

beforeAll(async () => {
  deps = await testDeps(LOAN_TEST_OVERRIDES);
  server = await startTestServer(deps);
  rest = restClient(server.url);
  admin = await makeStaff(deps, "admin");
  underwriter = await makeStaff(deps, "underwriter");
});
afterAll(async () => {
  await server.stop();
});

const REVIEW = { status: "review", message: "Your verification needs a manual review" };
/** What the applicant must never read: the list entry, its program, the score, the list's name. */
const LEAKS = [/90001/, /VORONTSEVICH/i, /RUSSIA-EO14024/, /score/i, /sanction/i, /OFAC/i, /SDN/i, /entry/i];

async function signUp() {
  const email = uniqueEmail("kyc");
  const { body } = await rest("POST", "/auth/register", {
    body: { email, password: TEST_PASSWORD, name: "Applicant" },
  });
  await rest("POST", "/auth/email/verify", { body: { token: verificationTokenFor(deps, email) } });
  return { token: body.token as string, id: body.user.id as string };
}

const listed = {
  ...CLEAN_KYC,
  legalName: "Arkady Semyonovich Vorontsevich",
  dateOfBirth: "1971-03-14",
};

describe("finding 3: the sanctions screen does not tip off the person screened", () => {
  it("a listed name and birth date get only the review message, and a shorter name at once changes nothing", async () => {
    const applicant = await signUp();
    const first = await rest("POST", "/compliance/kyc", { token: applicant.token, body: listed });
    expect(first).toMatchObject({ status: 200, body: REVIEW });
    expect(Object.keys(first.body).sort()).toEqual(["message", "status"]);
    const view = await rest("GET", "/compliance/kyc", { token: applicant.token });
    expect(view.body).toMatchObject({ status: "review", message: REVIEW.message, checks: [] });
    for (const text of [JSON.stringify(first.body), JSON.stringify(view.body)]) {
      for (const leak of LEAKS) expect(text).not.toMatch(leak);
    }

    // The walk-around: resubmit at once as a shorter name with the same date of birth.
    const shorter = await rest("POST", "/compliance/kyc", {
      token: applicant.token,
      body: { ...listed, legalName: "Arkady Voron" },
    });
    expect(shorter).toMatchObject({ status: 200, body: REVIEW });
    expect((await rest("GET", "/compliance/kyc", { token: applicant.token })).body.status).toBe("review");

    // Only the reviewer sees the candidates, and the resubmission.
    const queue = await rest("GET", `/admin/kyc?userId=${applicant.id}`, { token: admin.token });
    expect(queue.body.items).toHaveLength(1);
    const [item] = queue.body.items;
    expect(item.checks[3].detail).toContain("Name and date of birth match sanctions list entry 90001");
    expect(item.checks[3].matches[0]).toMatchObject({ entryId: 90001, exact: true, dobMatch: true });
    expect(item.resubmissions).toEqual([expect.objectContaining({ legalName: "Arkady Voron" })]);

    // Rejected by the reviewer, the applicant tries the shorter name again: every name they ever gave is screened.
    await rest("POST", `/admin/kyc/${applicant.id}/decision`, {
      token: admin.token,
      body: { decision: "rejected", reason: "Listed person" },
    });
    const afterDecision = await rest("POST", "/compliance/kyc", {
      token: applicant.token,
      body: { ...listed, legalName: "Arkady Voron" },
    });
    expect(afterDecision).toMatchObject({ status: 200, body: REVIEW });
    const history = await rest("GET", `/admin/kyc?userId=${applicant.id}`, { token: admin.token });
    expect(history.body.items.map((application: { status: string }) => application.status)).toEqual([
      "rejected",
      "review",
    ]);
    expect(history.body.items[1].checks[3].matches[0]).toMatchObject({
      entryId: 90001,
      screenedName: "Arkady Semyonovich Vorontsevich",
    });

    // Still not verified, so still no loan.
    const apply = await rest("POST", "/loans/apply", {
      token: applicant.token,
      body: { amount: "1000.00", termMonths: 12, purpose: "Car" },
      headers: { "Idempotency-Key": newKey() },
    });
    expect(apply).toMatchObject({ status: 422, body: { code: "KYC_NOT_VERIFIED" } });
  });

  it("a clean applicant's answer names no list and no threshold either", async () => {
    const applicant = await signUp();
    const answer = await rest("POST", "/compliance/kyc", { token: applicant.token, body: CLEAN_KYC });
    expect(answer.body).toMatchObject({ status: "verified", message: "Your identity is verified" });
    expect(answer.body.checks[3]).toEqual({
      name: "sanctions",
      result: "pass",
      detail: "No match on the sanctions lists",
    });
    expect(JSON.stringify(answer.body)).not.toMatch(/0\.90|22 /);
  });
});

/** A borrower with a 30,000.00 loan over 30 years, approved and paid out by two staff members. */
async function borrowerWithLoan() {
  const borrower = await makeApplicant(deps, { profile: FULL_PROFILE });
  const applied = await rest("POST", "/loans/apply", {
    token: borrower.token,
    body: { amount: "30000.00", termMonths: 360, purpose: "Workshop" },
    headers: { "Idempotency-Key": newKey() },
  });
  expect(applied.status).toBe(200);
  await rest("POST", `/loans/${applied.body.id}/approve`, { token: underwriter.token });
  expect((await rest("POST", `/loans/${applied.body.id}/disburse`, { token: admin.token })).status).toBe(200);
  return { borrower, loanId: applied.body.id as string };
}

/** Starts a repayment and has the provider settle it over the webhook. */
async function payThrough(token: string, loanId: string, amount: string) {
  const intent = await rest("POST", `/loans/${loanId}/repayments`, {
    token,
    body: { amount },
    headers: { "Idempotency-Key": newKey() },
  });
  expect(intent.status).toBe(200);
  return intent.body as { reference: string; amount: string };
}

function settle(payment: { reference: string; amount: string }) {
  const { rawBody, signature } = signedEvent(webhookSecret(deps), {
    eventId: newEventId(),
    type: "payment.settled",
    reference: payment.reference,
    amount: payment.amount,
  });
  return rest("POST", "/payments/webhook", {
    raw: rawBody,
    headers: { "content-type": "application/json", "BlockScore-Signature": signature },
  });
}

async function structuringAlerts(userId: string) {
  const { body } = await rest("GET", `/admin/alerts?userId=${userId}&rule=structuring`, {
    token: admin.token,
  });
  return body.items as { rule: string; riskScore: number }[];
}

describe("finding 4: AML risk is not shown to the subject", () => {
  it("after a structuring alert, a loan application answers the generic 422 NOT_ELIGIBLE; underwriters see why", async () => {
    const { borrower, loanId } = await borrowerWithLoan();
    for (let i = 0; i < 3; i++) {
      const settled = await settle(await payThrough(borrower.token, loanId, "8500.00"));
      expect(settled.body.outcome).toBe("settled");
    }
    expect(await structuringAlerts(borrower.user.id)).toHaveLength(1);

    const refused = await rest("POST", "/loans/apply", {
      token: borrower.token,
      body: { amount: "1000.00", termMonths: 12, purpose: "Laptop" },
      headers: { "Idempotency-Key": newKey() },
    });
    expect(refused).toMatchObject({
      status: 422,
      body: { code: "NOT_ELIGIBLE", message: "We cannot take a loan application from you at the moment." },
    });
    expect(JSON.stringify(refused.body)).not.toMatch(/AML|risk|compliance|alert|review/i);
    for (const path of ["/compliance/kyc", "/profile", `/loans/${loanId}`, "/loans"]) {
      const seen = await rest("GET", path, { token: borrower.token });
      expect(JSON.stringify(seen.body)).not.toMatch(/AML|risk level|alert|structuring/i);
    }

    // The underwriter sees the real reason; the applicant cannot read that list.
    const refusals = await rest("GET", `/loans/refusals?userId=${borrower.user.id}`, {
      token: underwriter.token,
    });
    expect(refusals.status).toBe(200);
    expect(refusals.body.items[0]).toMatchObject({
      userId: borrower.user.id,
      code: "AML_HIGH_RISK",
      disclosedCode: "NOT_ELIGIBLE",
      amount: "1000.00",
    });
    expect((await rest("GET", "/loans/refusals", { token: borrower.token })).status).toBe(403);
    expect((await rest("GET", "/loans/refusals")).status).toBe(401);
  });

  it("a reason the applicant can act on is still named, and comes before the undisclosed one", async () => {
    const { borrower, loanId } = await borrowerWithLoan();
    for (let i = 0; i < 3; i++) await settle(await payThrough(borrower.token, loanId, "8500.00"));
    const tooBig = await rest("POST", "/loans/apply", {
      token: borrower.token,
      body: { amount: "50000.00", termMonths: 12, purpose: "Van" },
      headers: { "Idempotency-Key": newKey() },
    });
    expect(tooBig).toMatchObject({ status: 422, body: { code: "DTI_TOO_HIGH" } });
  });
});

describe("finding 7 (AML): one user's movements are evaluated in the order they commit", () => {
  it("three structuring-range payments settled at the same moment raise one structuring alert", async () => {
    const { borrower, loanId } = await borrowerWithLoan();
    const intents = [];
    for (let i = 0; i < 3; i++) intents.push(await payThrough(borrower.token, loanId, "8500.00"));
    const settled = await Promise.all(intents.map((intent) => settle(intent)));
    expect(settled.map((answer) => answer.body.outcome)).toEqual(["settled", "settled", "settled"]);

    expect(await structuringAlerts(borrower.user.id)).toHaveLength(1);
    const movements = await deps.db
      .select({ seq: moneyMovements.seq, at: moneyMovements.occurredAt, kind: moneyMovements.kind })
      .from(moneyMovements)
      .where(eq(moneyMovements.userId, borrower.user.id))
      .orderBy(asc(moneyMovements.seq));
    expect(movements.map((movement) => movement.kind)).toEqual([
      "disbursement",
      "repayment",
      "repayment",
      "repayment",
    ]);
    const times = movements.map((movement) => movement.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

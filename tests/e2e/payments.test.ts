/**
 * Finding 1 (a borrower marks their own loan repaid) and finding 2 (one underwriter approves and pays out),
 * tried over HTTP the way a borrower and a reviewer would.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { and, eq } from "drizzle-orm";
import type { DatabaseConnection } from "../../db/client";
import { auditLog, paymentEvents } from "../../db/schema";
import type { AppDeps } from "../../server/context";
import { createJobs, type Jobs } from "../../server/jobs/jobs";
import { SANDBOX_QUEUE, startSandboxProvider } from "../../server/payments/sandbox";
import { signatureHeader } from "../../server/security/signature";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { waitFor } from "../helpers/chain";
import { setRole } from "../helpers/credit";
import { createTestDatabase } from "../helpers/database";
import { LOAN_TEST_OVERRIDES, makeApplicant, makeStaff, newKey } from "../helpers/loans";
import { newEventId, type ProviderEventBody, signedEvent, webhookSecret } from "../helpers/payments";
import { type RestResponse, restClient } from "../helpers/rest";

let deps: AppDeps;
let server: TestServer;
let rest: ReturnType<typeof restClient>;
let approver: Awaited<ReturnType<typeof makeStaff>>;
let payer: Awaited<ReturnType<typeof makeStaff>>;
let admin: Awaited<ReturnType<typeof makeStaff>>;

beforeAll(async () => {
  deps = await testDeps(LOAN_TEST_OVERRIDES);
  server = await startTestServer(deps);
  rest = restClient(server.url);
  approver = await makeStaff(deps, "underwriter");
  payer = await makeStaff(deps, "underwriter");
  admin = await makeStaff(deps, "admin");
});
afterAll(async () => {
  await server.stop();
});

type Applicant = Awaited<ReturnType<typeof makeApplicant>>;

function applyFor(applicant: Applicant, amount = "1200.00") {
  return rest("POST", "/loans/apply", {
    token: applicant.token,
    body: { amount, termMonths: 12, purpose: "Boiler" },
    headers: { "Idempotency-Key": newKey() },
  });
}

/** A loan approved by one underwriter and paid out by another, over HTTP. */
async function disbursedLoan(applicant?: Applicant) {
  const borrower = applicant ?? (await makeApplicant(deps));
  const { body } = await applyFor(borrower);
  expect((await rest("POST", `/loans/${body.id}/approve`, { token: approver.token })).status).toBe(200);
  const paid = await rest("POST", `/loans/${body.id}/disburse`, { token: payer.token });
  expect(paid.status).toBe(200);
  return { borrower, id: body.id as string, outstanding: paid.body.outstanding as string };
}

function startRepayment(token: string, loanId: string, amount: string, key = newKey()) {
  return rest("POST", `/loans/${loanId}/repayments`, {
    token,
    body: { amount },
    headers: { "Idempotency-Key": key },
  });
}

function deliver(rawBody: string, signature?: string): Promise<RestResponse> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== undefined) headers["BlockScore-Signature"] = signature;
  return rest("POST", "/payments/webhook", { raw: rawBody, headers });
}

function providerSends(event: ProviderEventBody, at?: Date): Promise<RestResponse> {
  const { rawBody, signature } = signedEvent(webhookSecret(deps), event, at);
  return deliver(rawBody, signature);
}

const loanOf = async (id: string, token = admin.token) => (await rest("GET", `/loans/${id}`, { token })).body;
const ledgerOf = async (id: string) =>
  (await rest("GET", `/admin/ledger/balance?loanId=${id}`, { token: admin.token })).body;

describe("finding 1: a borrower cannot mark their own loan repaid", () => {
  it("a repayment the borrower posts is a pending intent: nothing is booked and the loan stays open", async () => {
    const { borrower, id, outstanding } = await disbursedLoan();
    const attempt = await startRepayment(borrower.token, id, outstanding);
    expect(attempt.status).toBe(200);
    expect(attempt.body).toMatchObject({ loanId: id, amount: outstanding, status: "pending" });
    expect(attempt.body.reference).toMatch(/^pay_[A-Za-z0-9_-]{24}$/);

    const loan = await loanOf(id, borrower.token);
    expect(loan).toMatchObject({ status: "disbursed", paid: "0.00", outstanding });
    expect(loan.payments).toEqual([
      expect.objectContaining({ id: attempt.body.id, status: "pending", settledAt: null }),
    ]);
    const ledger = await ledgerOf(id);
    expect(ledger.entries).toBe(1); // the payout only
    expect(
      ledger.accounts.find((row: { account: string }) => row.account === "loans_receivable").balance,
    ).toBe("1200.00");
  });

  it("forged, unsigned, stale and altered webhook calls are refused with 400 and change nothing", async () => {
    const { borrower, id, outstanding } = await disbursedLoan();
    const intent = (await startRepayment(borrower.token, id, outstanding)).body;
    const event: ProviderEventBody = {
      eventId: newEventId(),
      type: "payment.settled",
      reference: intent.reference,
      amount: outstanding,
    };
    const rawBody = JSON.stringify(event);

    const unsigned = await deliver(rawBody);
    expect(unsigned).toMatchObject({ status: 400, body: { code: "WEBHOOK_SIGNATURE_MISSING" } });
    const forged = await deliver(rawBody, signatureHeader("a-secret-the-borrower-guessed", rawBody));
    expect(forged).toMatchObject({ status: 400, body: { code: "WEBHOOK_SIGNATURE_INVALID" } });
    const garbled = await deliver(rawBody, "t=123,v1=zz");
    expect(garbled).toMatchObject({ status: 400, body: { code: "WEBHOOK_SIGNATURE_INVALID" } });
    // A genuine signature over another body: the amount was changed after signing.
    const { signature } = signedEvent(webhookSecret(deps), event);
    const altered = await deliver(JSON.stringify({ ...event, amount: "1.00" }), signature);
    expect(altered).toMatchObject({ status: 400, body: { code: "WEBHOOK_SIGNATURE_INVALID" } });
    // A genuine event captured and replayed six minutes later.
    const stale = await providerSends(event, new Date(Date.now() - 6 * 60_000));
    expect(stale).toMatchObject({ status: 400, body: { code: "WEBHOOK_TIMESTAMP_STALE" } });
    const future = await providerSends(event, new Date(Date.now() + 6 * 60_000));
    expect(future).toMatchObject({ status: 400, body: { code: "WEBHOOK_TIMESTAMP_STALE" } });
    // Signed but malformed.
    const noAmount = await providerSends({ ...event, amount: undefined });
    expect(noAmount.status).toBe(400);
    expect(noAmount.body.issues[0]).toMatchObject({
      path: ["amount"],
      message: "amount is required for payment.settled",
    });
    const unknown = await providerSends({ ...event, eventId: newEventId(), reference: "pay_unknown" });
    expect(unknown.status).toBe(404);

    expect(await loanOf(id, borrower.token)).toMatchObject({
      status: "disbursed",
      paid: "0.00",
      outstanding,
    });
    expect(
      await deps.db.select().from(paymentEvents).where(eq(paymentEvents.reference, intent.reference)),
    ).toEqual([]);
    expect((await ledgerOf(id)).entries).toBe(1);
  });

  it("the provider's settlement books the payment once, however often it is delivered", async () => {
    const { borrower, id, outstanding } = await disbursedLoan();
    const intent = (await startRepayment(borrower.token, id, outstanding)).body;
    const event: ProviderEventBody = {
      eventId: newEventId(),
      type: "payment.settled",
      reference: intent.reference,
      amount: outstanding,
    };
    const settled = await providerSends(event);
    expect(settled).toMatchObject({
      status: 200,
      body: { eventId: event.eventId, outcome: "settled", paymentId: intent.id, paymentStatus: "settled" },
    });
    const replays = await Promise.all([providerSends(event), providerSends(event), providerSends(event)]);
    expect(replays.map((replay) => [replay.status, replay.body.outcome, replay.body.paymentStatus])).toEqual([
      [200, "duplicate", "settled"],
      [200, "duplicate", "settled"],
      [200, "duplicate", "settled"],
    ]);
    // Another event about the same payment (the provider's own retry with a new id): the payment is final.
    const again = await providerSends({ ...event, eventId: newEventId() });
    expect(again.body).toMatchObject({ outcome: "ignored", paymentStatus: "settled" });

    const loan = await loanOf(id, borrower.token);
    expect(loan).toMatchObject({ status: "repaid", outstanding: "0.00", paid: loan.totalPayable });
    expect(loan.payments).toEqual([
      expect.objectContaining({ status: "settled", settledAmount: outstanding, settledVia: "provider" }),
    ]);
    const ledger = await ledgerOf(id);
    expect(ledger).toMatchObject({ balanced: true, entries: 2 });
    const audit = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "payment.settled"), eq(auditLog.subjectId, intent.id)));
    expect(audit).toHaveLength(1);
  });

  it("a failed payment books nothing, and a settlement arriving after it is ignored", async () => {
    const { borrower, id, outstanding } = await disbursedLoan();
    const intent = (await startRepayment(borrower.token, id, "100.00")).body;
    const failed = await providerSends({
      eventId: newEventId(),
      type: "payment.failed",
      reference: intent.reference,
    });
    expect(failed.body).toMatchObject({ outcome: "failed", paymentStatus: "failed" });
    const late = await providerSends({
      eventId: newEventId(),
      type: "payment.settled",
      reference: intent.reference,
      amount: "100.00",
    });
    expect(late.body).toMatchObject({ outcome: "ignored", paymentStatus: "failed" });
    expect(await loanOf(id, borrower.token)).toMatchObject({ paid: "0.00", outstanding });
    expect((await ledgerOf(id)).entries).toBe(1);
  });

  it("an amount that differs from the intent is booked as received; the difference stays on the loan", async () => {
    const { borrower, id, outstanding } = await disbursedLoan();
    const intent = (await startRepayment(borrower.token, id, outstanding)).body;
    await providerSends({
      eventId: newEventId(),
      type: "payment.settled",
      reference: intent.reference,
      amount: "200.00",
    });
    const loan = await loanOf(id, borrower.token);
    const left = ((Math.round(Number(outstanding) * 100) - 20_000) / 100).toFixed(2);
    expect(loan).toMatchObject({ status: "disbursed", paid: "200.00", outstanding: left });
    expect(loan.payments[0]).toMatchObject({ amount: outstanding, settledAmount: "200.00" });
  });

  it("staff who received cash settle a payment with a reason, audited; the borrower cannot, nor staff on their own loan", async () => {
    const { borrower, id, outstanding } = await disbursedLoan();
    const intent = (await startRepayment(borrower.token, id, "300.00")).body;
    const path = `/loans/${id}/payments/${intent.id}/settle`;

    const byBorrower = await rest("POST", path, {
      token: borrower.token,
      body: { reason: "I paid, trust me" },
    });
    expect(byBorrower).toMatchObject({ status: 403, body: { code: "FORBIDDEN" } });
    expect((await rest("POST", path, { body: { reason: "x" } })).status).toBe(401);
    const noReason = await rest("POST", path, { token: approver.token });
    expect(noReason.status).toBe(400);
    expect(noReason.body.issues[0].path).toEqual(["reason"]);
    const wrongLoan = await rest("POST", `/loans/${crypto.randomUUID()}/payments/${intent.id}/settle`, {
      token: approver.token,
      body: { reason: "x" },
    });
    expect(wrongLoan.status).toBe(404);

    const settled = await rest("POST", path, {
      token: approver.token,
      body: { reason: "Cash at the Leeds branch, receipt 10442" },
    });
    expect(settled).toMatchObject({
      status: 200,
      body: { id: intent.id, status: "settled", settledAmount: "300.00", settledVia: "staff" },
    });
    const twice = await rest("POST", path, { token: payer.token, body: { reason: "again" } });
    expect(twice).toMatchObject({ status: 409, body: { code: "PAYMENT_NOT_PENDING" } });
    const left = ((Math.round(Number(outstanding) * 100) - 30_000) / 100).toFixed(2);
    expect(await loanOf(id, borrower.token)).toMatchObject({ paid: "300.00", outstanding: left });
    const [entry] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "payment.settled"), eq(auditLog.subjectId, intent.id)));
    expect(entry).toMatchObject({ actorId: approver.user.id });
    expect(entry?.details).toMatchObject({ via: "staff", note: "Cash at the Leeds branch, receipt 10442" });

    // A member of staff who is also a borrower: their own payment is not theirs to settle.
    const staffBorrower = await makeApplicant(deps);
    const own = await disbursedLoan(staffBorrower);
    const ownIntent = (await startRepayment(staffBorrower.token, own.id, "50.00")).body;
    await setRole(deps, staffBorrower.user.id, "underwriter");
    const selfSettled = await rest("POST", `/loans/${own.id}/payments/${ownIntent.id}/settle`, {
      token: staffBorrower.token,
      body: { reason: "Cash" },
    });
    expect(selfSettled).toMatchObject({ status: 403 });
    expect((await loanOf(own.id)).paid).toBe("0.00");
  });

  it("the routes are in the OpenAPI document", async () => {
    const { body } = await rest("GET", "/openapi.json");
    const webhook = body.paths["/payments/webhook"].post;
    expect(webhook.parameters).toContainEqual(
      expect.objectContaining({ in: "header", name: "BlockScore-Signature" }),
    );
    expect(webhook.security ?? []).toEqual([]);
    expect(body.paths["/loans/{id}/payments/{paymentId}/settle"].post.security).toBeDefined();
  });
});

describe("finding 2: one underwriter cannot approve and pay out", () => {
  it("the approver's disbursement is refused with 403 FOUR_EYES_REQUIRED; a second staff member pays out", async () => {
    const applicant = await makeApplicant(deps);
    const { body } = await applyFor(applicant);
    expect((await rest("POST", `/loans/${body.id}/approve`, { token: approver.token })).status).toBe(200);
    const same = await rest("POST", `/loans/${body.id}/disburse`, { token: approver.token });
    expect(same).toMatchObject({ status: 403, body: { code: "FOUR_EYES_REQUIRED" } });
    expect(await loanOf(body.id)).toMatchObject({ status: "approved" });
    expect((await ledgerOf(body.id)).entries).toBe(0);

    const other = await rest("POST", `/loans/${body.id}/disburse`, { token: admin.token });
    expect(other).toMatchObject({ status: 200, body: { status: "disbursed" } });
    expect(other.body.history.map((step: { actorId: string }) => step.actorId)).toEqual([
      applicant.user.id,
      approver.user.id,
      admin.user.id,
    ]);
  });

  it("staff never decide or pay out their own loan", async () => {
    const applicant = await makeApplicant(deps);
    const { body } = await applyFor(applicant);
    await setRole(deps, applicant.user.id, "admin");
    for (const action of ["approve", "reject"]) {
      const own = await rest("POST", `/loans/${body.id}/${action}`, {
        token: applicant.token,
        body: { reason: "Mine" },
      });
      expect([action, own.status]).toEqual([action, 403]);
    }
    await rest("POST", `/loans/${body.id}/approve`, { token: approver.token });
    expect((await rest("POST", `/loans/${body.id}/disburse`, { token: applicant.token })).status).toBe(403);
  });

  it("with LOAN_FOUR_EYES=false one staff member may approve and pay out", async () => {
    const relaxed = await testDeps({ ...LOAN_TEST_OVERRIDES, LOAN_FOUR_EYES: "false" });
    const relaxedServer = await startTestServer(relaxed);
    try {
      const call = restClient(relaxedServer.url);
      const applicant = await makeApplicant(relaxed);
      const solo = await makeStaff(relaxed, "underwriter");
      const { body } = await call("POST", "/loans/apply", {
        token: applicant.token,
        body: { amount: "1200.00", termMonths: 12, purpose: "Boiler" },
        headers: { "Idempotency-Key": newKey() },
      });
      expect((await call("POST", `/loans/${body.id}/approve`, { token: solo.token })).status).toBe(200);
      const paid = await call("POST", `/loans/${body.id}/disburse`, { token: solo.token });
      expect(paid).toMatchObject({ status: 200, body: { status: "disbursed" } });
    } finally {
      await relaxedServer.stop();
    }
  });
});

describe("the sandbox provider settles through the same webhook path", () => {
  let connection: DatabaseConnection;
  let jobs: Jobs;
  let sandbox: AppDeps & { jobs: Jobs };
  let sandboxServer: TestServer;

  beforeAll(async () => {
    connection = await createTestDatabase();
    const base = await testDeps(
      { ...LOAN_TEST_OVERRIDES, PAYMENTS_SANDBOX_DELAY_SECONDS: "1", JOBS_POLL_INTERVAL_SECONDS: "0.5" },
      { connection },
    );
    jobs = createJobs(connection, base.config, base.logger);
    await jobs.start();
    sandbox = { ...base, jobs };
    await startSandboxProvider(sandbox);
    sandboxServer = await startTestServer(sandbox);
  });
  afterAll(async () => {
    await sandboxServer?.stop();
    await jobs?.stop();
    await connection?.close();
  });

  it("settles a new intent by itself after the delay, with an event signed under the webhook secret", async () => {
    expect(sandbox.payments).toMatchObject({ provider: "sandbox", generatedSecret: true });
    const call = restClient(sandboxServer.url);
    const applicant = await makeApplicant(sandbox);
    const first = await makeStaff(sandbox, "underwriter");
    const second = await makeStaff(sandbox, "admin");
    const { body: loan } = await call("POST", "/loans/apply", {
      token: applicant.token,
      body: { amount: "1200.00", termMonths: 12, purpose: "Boiler" },
      headers: { "Idempotency-Key": newKey() },
    });
    await call("POST", `/loans/${loan.id}/approve`, { token: first.token });
    await call("POST", `/loans/${loan.id}/disburse`, { token: second.token });
    const intent = await call("POST", `/loans/${loan.id}/repayments`, {
      token: applicant.token,
      body: { amount: "100.00" },
      headers: { "Idempotency-Key": newKey() },
    });
    expect(intent.body.status).toBe("pending");

    const settled = await waitFor("the sandbox to settle the intent", async () => {
      const { body } = await call("GET", `/loans/${loan.id}`, { token: applicant.token });
      return body.payments[0].status === "settled" ? body : undefined;
    });
    expect(settled).toMatchObject({ paid: "100.00" });
    expect(settled.payments[0]).toMatchObject({ settledVia: "provider", settledAmount: "100.00" });
    // Through the webhook's own function: the event id was recorded like any provider's.
    const [event] = await connection.db
      .select()
      .from(paymentEvents)
      .where(eq(paymentEvents.paymentId, intent.body.id));
    expect(event).toMatchObject({ eventId: `evt_sandbox_${intent.body.id}`, outcome: "settled" });
    expect(await jobs.boss.getQueue(SANDBOX_QUEUE)).not.toBeNull();
  });
});

describe("without a webhook secret in production", () => {
  it("answers 503 PAYMENTS_UNAVAILABLE and settles nothing, so the provider retries", async () => {
    const production = await testDeps({ ...LOAN_TEST_OVERRIDES, NODE_ENV: "production" });
    expect(production.payments).toMatchObject({ provider: "webhook", webhookSecret: null });
    const productionServer = await startTestServer(production);
    try {
      const rawBody = JSON.stringify({
        eventId: newEventId(),
        type: "payment.settled",
        reference: "pay_x",
        amount: "1.00",
      });
      const answer = await restClient(productionServer.url)("POST", "/payments/webhook", {
        raw: rawBody,
        headers: {
          "content-type": "application/json",
          "BlockScore-Signature": signatureHeader("guess", rawBody),
        },
      });
      expect(answer).toMatchObject({ status: 503, body: { code: "PAYMENTS_UNAVAILABLE" } });
    } finally {
      await productionServer.stop();
    }
  });
});

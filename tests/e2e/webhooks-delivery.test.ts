/**
 * Webhooks to client apps over real HTTP, delivery: events are written with the change that caused them and
 * delivered by the pg-boss worker to a local receiver, signed, in order per loan, retried with backoff, every
 * attempt recorded; admins redeliver one.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import { webhookDeliveries, webhookEvents } from "../../db/schema";
import { runDelinquency } from "../../server/loans/delinquency-job";
import { loanSettings } from "../../server/loans/settings";
import { receiveProviderEvent } from "../../server/payments/webhook";
import { waitFor } from "../helpers/chain";
import { expectBooksBalanced, makeApplicant, newKey } from "../helpers/loans";
import { newEventId, settleAsProvider, signedEvent, webhookDeps, webhookSecret } from "../helpers/payments";
import { startWebhookApp, type WebhookApp } from "../helpers/webhooks";

const LOAN_EVENTS = ["loan.submitted", "loan.approved", "loan.disbursed", "payment.settled", "loan.repaid"];

let app: WebhookApp;
let deps: WebhookApp["deps"];
let rest: WebhookApp["rest"];
let receiver: WebhookApp["receiver"];
let admin: WebhookApp["admin"];
let underwriter: WebhookApp["underwriter"];
let payer: WebhookApp["payer"];

beforeAll(async () => {
  app = await startWebhookApp();
  ({ deps, rest, receiver, admin, underwriter, payer } = app);
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

const register = (path: string, events: string[]) => app.register(path, events);

/** Applies, approves, pays out and repays a loan in full; `beforeApproval` runs once the loan id is known. */
async function runLoan(beforeApproval: (loanId: string) => void = () => {}) {
  const applicant = await makeApplicant(deps);
  const applied = await rest("POST", "/loans/apply", {
    token: applicant.token,
    body: { amount: "1200.00", termMonths: 12, purpose: "Bicycle" },
    headers: { "Idempotency-Key": newKey() },
  });
  expect(applied.status).toBe(200);
  const loanId = applied.body.id as string;
  beforeApproval(loanId);
  expect((await rest("POST", `/loans/${loanId}/approve`, { token: underwriter.token })).status).toBe(200);
  const disbursed = await rest("POST", `/loans/${loanId}/disburse`, { token: payer.token });
  expect(disbursed.status).toBe(200);
  const intent = await rest("POST", `/loans/${loanId}/repayments`, {
    token: applicant.token,
    body: { amount: disbursed.body.outstanding },
    headers: { "Idempotency-Key": newKey() },
  });
  await settleAsProvider(deps, intent.body);
  return { loanId, applicant };
}

const appliedFor = (path: string, loanId: string) =>
  receiver.applied.filter((item) => item.path === path && item.loanId === loanId).map((item) => item.type);

describe("delivering events to client apps", () => {
  it("delivers a loan's events signed, once each, in the order they happened, to subscribed endpoints only", async () => {
    const loans = await register("/loans", LOAN_EVENTS);
    await register("/kyc", ["kyc.decided"]);
    const { loanId, applicant } = await runLoan();
    await waitFor("the loan's five events", async () => appliedFor("/loans", loanId).length === 5);
    expect(appliedFor("/loans", loanId)).toEqual(LOAN_EVENTS);
    const requests = receiver.requests.filter((item) => item.loanId === loanId);
    expect(requests.every((item) => item.signatureValid && item.answered === 204)).toBe(true);
    expect(requests.every((item) => item.path === "/loans")).toBe(true);
    const kyc = await waitFor("the applicant's KYC decision", async () =>
      receiver.requests.find((item) => item.path === "/kyc" && item.body.includes(applicant.user.id)),
    );
    // The client app may show it to the applicant: the outcome only, nothing of the screening.
    expect(Object.keys(JSON.parse(kyc.body).data).sort()).toEqual([
      "applicationId",
      "at",
      "status",
      "userId",
    ]);
    const settled = JSON.parse(requests.find((item) => item.type === "payment.settled")?.body ?? "{}");
    expect(settled.data).toMatchObject({ loanId, amount: expect.stringMatching(/^\d+\.\d{2}$/) });

    // The receiver may see the last event before the worker records its answer.
    await waitFor("the five deliveries recorded as succeeded", async () => {
      const listed = await rest("GET", `/admin/webhooks/deliveries?endpointId=${loans.id}&status=succeeded`, {
        token: admin.token,
      });
      return listed.status === 200 && listed.body.items.length === 5;
    });
    await expectBooksBalanced(deps);
  }, 60_000);

  it("retries an unacknowledged event with backoff, holds the loan's later events behind it, and the receiver applies it once", async () => {
    await register("/flaky", LOAN_EVENTS);
    const { loanId } = await runLoan((id) => receiver.loseAckOnce("/flaky", "loan.approved", id));
    await waitFor("the loan's events after the retry", async () => appliedFor("/flaky", loanId).length === 5);
    expect(appliedFor("/flaky", loanId)).toEqual(LOAN_EVENTS);
    const arrivals = receiver.requests
      .filter((item) => item.path === "/flaky" && item.loanId === loanId)
      .map((item) => `${item.type}:${item.answered}`);
    expect(arrivals).toEqual([
      "loan.submitted:204",
      "loan.approved:500",
      "loan.approved:204",
      "loan.disbursed:204",
      "payment.settled:204",
      "loan.repaid:204",
    ]);
    const approved = receiver.requests.find(
      (item) => item.path === "/flaky" && item.loanId === loanId && item.type === "loan.approved",
    );
    const listed = await rest("GET", `/admin/webhooks/deliveries?eventId=${approved?.eventId}`, {
      token: admin.token,
    });
    const delivery = listed.body.items.find((item: { attempts: number }) => item.attempts === 2);
    const detail = await rest("GET", `/admin/webhooks/deliveries/${delivery.id}`, { token: admin.token });
    expect(detail.body).toMatchObject({ status: "succeeded", attempts: 2, lastStatusCode: 204 });
    expect(
      detail.body.attemptLog.map((attempt: { outcome: string; statusCode: number }) => attempt),
    ).toMatchObject([
      { n: 1, outcome: "failed", statusCode: 500 },
      { n: 2, outcome: "succeeded", statusCode: 204 },
    ]);
  }, 60_000);

  it("redelivers one delivery on an admin's request with the same event id; the receiver's effect stays single", async () => {
    const endpoint = await register("/redeliver", ["loan.submitted"]);
    const applicant = await makeApplicant(deps);
    const applied = await rest("POST", "/loans/apply", {
      token: applicant.token,
      body: { amount: "900.00", termMonths: 6, purpose: "Tools" },
      headers: { "Idempotency-Key": newKey() },
    });
    const loanId = applied.body.id as string;
    await waitFor("the submitted event", async () => appliedFor("/redeliver", loanId).length === 1);
    const { body } = await rest("GET", `/admin/webhooks/deliveries?endpointId=${endpoint.id}`, {
      token: admin.token,
    });
    const original = body.items[0];
    const again = await rest("POST", `/admin/webhooks/deliveries/${original.id}/redeliver`, {
      token: admin.token,
    });
    expect(again).toMatchObject({
      status: 200,
      body: { eventId: original.eventId, redeliveryOf: original.id },
    });
    await waitFor("the redelivery", async () => {
      const requests = receiver.requests.filter(
        (item) => item.path === "/redeliver" && item.loanId === loanId,
      );
      return requests.length === 2;
    });
    const requests = receiver.requests.filter((item) => item.path === "/redeliver" && item.loanId === loanId);
    expect(new Set(requests.map((item) => item.eventId)).size).toBe(1);
    expect(appliedFor("/redeliver", loanId)).toEqual(["loan.submitted"]);
  }, 60_000);

  it("writes no event for a change that did not commit", async () => {
    await register("/refused", ["loan.submitted"]);
    const applicant = await makeApplicant(deps, { kyc: false });
    const refused = await rest("POST", "/loans/apply", {
      token: applicant.token,
      body: { amount: "900.00", termMonths: 6, purpose: "Tools" },
      headers: { "Idempotency-Key": newKey() },
    });
    expect(refused.status).toBe(422);
    const events = await deps.db.select().from(webhookEvents).where(eq(webhookEvents.type, "loan.submitted"));
    expect(events.some((event) => JSON.stringify(event.payload).includes(applicant.user.id))).toBe(false);
  });
});

describe("the other events, and giving up", () => {
  it("carries a credit rejection's adverse-action notice on loan.rejected, and none for a rejection on other grounds", async () => {
    await register("/rejections", ["loan.rejected"]);
    const rejectOne = async (body: object) => {
      const applicant = await makeApplicant(deps);
      const applied = await rest("POST", "/loans/apply", {
        token: applicant.token,
        body: { amount: "1200.00", termMonths: 12, purpose: "Bicycle" },
        headers: { "Idempotency-Key": newKey() },
      });
      expect(applied.status).toBe(200);
      const loanId = applied.body.id as string;
      expect((await rest("POST", `/loans/${loanId}/reject`, { token: underwriter.token, body })).status).toBe(
        200,
      );
      const delivered = await waitFor("the loan.rejected event", async () =>
        receiver.requests.find((item) => item.path === "/rejections" && item.loanId === loanId),
      );
      return { applicant, loanId, data: JSON.parse(delivered.body).data };
    };

    const credit = await rejectOne({ reason: "Income could not be confirmed" });
    const notice = await rest("GET", `/loans/${credit.loanId}/notice`, { token: credit.applicant.token });
    expect(notice.status).toBe(200);
    expect(credit.data.notice).toEqual(notice.body);

    const other = await rejectOne({ reason: "Asked by the applicant", creditReason: false });
    expect(other.data.notice).toBeUndefined();
  }, 60_000);

  it("emits loan.late from the delinquency run and payment.failed from the provider's event", async () => {
    await register("/servicing", ["loan.late", "payment.failed"]);
    const applicant = await makeApplicant(deps);
    const { body: loan } = await rest("POST", "/loans/apply", {
      token: applicant.token,
      body: { amount: "1200.00", termMonths: 12, purpose: "Bicycle" },
      headers: { "Idempotency-Key": newKey() },
    });
    await rest("POST", `/loans/${loan.id}/approve`, { token: underwriter.token });
    await rest("POST", `/loans/${loan.id}/disburse`, { token: payer.token });
    const intent = await rest("POST", `/loans/${loan.id}/repayments`, {
      token: applicant.token,
      body: { amount: "10.00" },
      headers: { "Idempotency-Key": newKey() },
    });
    const { rawBody, signature } = signedEvent(webhookSecret(deps), {
      eventId: newEventId(),
      type: "payment.failed",
      reference: intent.body.reference,
    });
    const meta = { actorId: null, ip: null, requestId: "test" };
    await receiveProviderEvent(deps.db, meta, webhookDeps(deps), { rawBody, signature });
    const inTwoMonths = new Date(Date.now() + 62 * 86_400_000);
    const run = await runDelinquency(deps.db, meta, inTwoMonths, {
      policy: loanSettings(deps.config).delinquency,
      outbox: deps,
    });
    expect(run.instalmentsMarkedLate).toBeGreaterThan(0);
    await waitFor("both events", async () => appliedFor("/servicing", loan.id).length === 2);
    expect(appliedFor("/servicing", loan.id)).toEqual(["payment.failed", "loan.late"]);
    const late = receiver.requests.find((item) => item.path === "/servicing" && item.type === "loan.late");
    expect(JSON.parse(late?.body ?? "{}").data).toMatchObject({ loanId: loan.id, instalments: [1] });
  }, 60_000);

  it("marks a delivery failed once the retry window has passed, and the loan's next event then goes out", async () => {
    const endpoint = await register("/down", ["loan.submitted", "loan.approved"]);
    receiver.refuseAlways("/down", "loan.submitted");
    const applicant = await makeApplicant(deps);
    const { body: loan } = await rest("POST", "/loans/apply", {
      token: applicant.token,
      body: { amount: "900.00", termMonths: 6, purpose: "Tools" },
      headers: { "Idempotency-Key": newKey() },
    });
    const first = await waitFor("the first refused attempt", async () => {
      const { body } = await rest("GET", `/admin/webhooks/deliveries?endpointId=${endpoint.id}`, {
        token: admin.token,
      });
      return body.items.find((item: { attempts: number }) => item.attempts >= 1);
    });
    expect(first).toMatchObject({ status: "pending", lastStatusCode: 503 });
    await rest("POST", `/loans/${loan.id}/approve`, { token: underwriter.token });
    // The event is made 24 hours old: its next retry falls outside the window.
    await deps.db
      .update(webhookDeliveries)
      .set({ createdAt: new Date(Date.now() - 24 * 3_600_000) })
      .where(eq(webhookDeliveries.id, first.id));
    await waitFor("the approval to go out", async () =>
      appliedFor("/down", loan.id).includes("loan.approved"),
    );
    const detail = await rest("GET", `/admin/webhooks/deliveries/${first.id}`, { token: admin.token });
    expect(detail.body.status).toBe("failed");
    expect(
      detail.body.attemptLog.every((attempt: { statusCode: number }) => attempt.statusCode === 503),
    ).toBe(true);
    expect(appliedFor("/down", loan.id)).toEqual(["loan.approved"]);
  }, 60_000);
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { runDelinquency } from "../../../server/loans/delinquency-job";
import { loanSettings } from "../../../server/loans/settings";
import { newEventId, signedEvent, webhookSecret } from "../../helpers/payments";
import { servicingWorld } from "./helpers";

let world: Awaited<ReturnType<typeof servicingWorld>>;

beforeAll(async () => {
  world = await servicingWorld();
});
afterAll(async () => {
  await world.server.stop();
});
afterEach(async () => {
  await world.expectBooksBalanced();
});

describe("write-off and recoveries", () => {
  it("an admin writes off a defaulted loan's principal to loan_losses; recoveries post against it once per key", async () => {
    const { rest, admin, underwriter } = world;
    const { borrower, id } = await world.defaultedLoan();
    expect(
      (await rest("POST", `/loans/${id}/write-off`, { token: underwriter.token, body: { reason: "x" } }))
        .status,
    ).toBe(403);
    expect(
      (await rest("POST", `/loans/${id}/write-off`, { token: borrower.token, body: { reason: "x" } })).status,
    ).toBe(403);
    const noReason = await rest("POST", `/loans/${id}/write-off`, { token: admin.token, body: {} });
    expect(noReason.status).toBe(400);

    await world.listenFor(["loan.written_off"]);
    const written = await rest("POST", `/loans/${id}/write-off`, {
      token: admin.token,
      body: { reason: "Uncollectable after 200 days" },
    });
    expect(written.status).toBe(200);
    expect(await world.eventsOf("loan.written_off", id)).toEqual([
      expect.objectContaining({ loanId: id, status: "written_off", previousStatus: "defaulted" }),
    ]);
    expect(written.body).toMatchObject({
      loanId: id,
      status: "written_off",
      principal: "1200.00",
      interest: "0.00",
      fees: "0.00",
      total: "1200.00",
    });
    const loan = (await rest("GET", `/loans/${id}`, { token: borrower.token })).body;
    expect(loan).toMatchObject({ status: "written_off", outstanding: "0.00", nextStatuses: [] });
    expect(loan.closedAt).not.toBeNull();
    expect(loan.history.at(-1)).toMatchObject({
      from: "defaulted",
      to: "written_off",
      actorId: admin.user.id,
    });
    let books = await world.ledger(id);
    expect(books.balance("loans_receivable")).toBe("0.00");
    expect(books.balance("loan_losses")).toBe("1200.00");
    expect(books.balance("cash")).toBe("-1200.00");

    const again = await rest("POST", `/loans/${id}/write-off`, {
      token: admin.token,
      body: { reason: "again" },
    });
    expect(again).toMatchObject({ status: 409, body: { code: "ILLEGAL_TRANSITION" } });

    const key = crypto.randomUUID();
    const recover = (amount: string, token = admin.token, idempotencyKey = key) =>
      rest("POST", `/loans/${id}/recoveries`, {
        token,
        body: { amount, reason: "Collection agency remittance 4711" },
        headers: { "Idempotency-Key": idempotencyKey },
      });
    expect((await recover("100.00", borrower.token)).status).toBe(403);
    const first = await recover("100.00");
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      amount: "100.00",
      recovered: "100.00",
      surplus: "0.00",
      lossRemaining: "1100.00",
    });
    const replay = await recover("100.00");
    expect(replay.body).toMatchObject({
      paymentId: first.body.paymentId,
      replayed: true,
      lossRemaining: "1100.00",
    });
    expect((await recover("150.00")).body.code).toBe("IDEMPOTENCY_KEY_REUSED");
    // More than the loss still standing: the rest is owed back to the borrower.
    const lastKey = crypto.randomUUID();
    const last = await recover("1150.00", underwriter.token, lastKey);
    expect(last.body).toMatchObject({ recovered: "1100.00", surplus: "50.00", lossRemaining: "0.00" });
    books = await world.ledger(id);
    expect(books.balance("loan_losses")).toBe("0.00");
    expect(books.balance("overpayments")).toBe("50.00");
    expect(books.balance("cash")).toBe("50.00");
    expect(books.entries).toBe(4);
    const replayLast = await recover("1150.00", underwriter.token, lastKey);
    expect(replayLast.body).toMatchObject({ recovered: "1100.00", surplus: "50.00", replayed: true });
  });

  it("refuses a loan that is not defaulted, and recoveries on a loan that is not written off", async () => {
    const { rest, admin } = world;
    const { id } = await world.disbursedLoan();
    expect(
      await rest("POST", `/loans/${id}/write-off`, { token: admin.token, body: { reason: "Too early" } }),
    ).toMatchObject({
      status: 409,
      body: { code: "ILLEGAL_TRANSITION", details: { status: "disbursed" } },
    });
    const recovery = await rest("POST", `/loans/${id}/recoveries`, {
      token: admin.token,
      body: { amount: "10.00", reason: "Cash" },
      headers: { "Idempotency-Key": crypto.randomUUID() },
    });
    expect(recovery).toMatchObject({ status: 409, body: { code: "LOAN_NOT_WRITTEN_OFF" } });
    const noKey = await rest("POST", `/loans/${id}/recoveries`, {
      token: admin.token,
      body: { amount: "10.00", reason: "Cash" },
    });
    expect(noKey).toMatchObject({ status: 400, body: { code: "IDEMPOTENCY_KEY_REQUIRED" } });
    expect((await world.ledger(id)).entries).toBe(1);
  });

  it("a provider settlement arriving after the write-off books as a recovery", async () => {
    const { rest, admin } = world;
    const { borrower, id } = await world.disbursedLoan({ daysAgo: 200 });
    // Started while the loan was still performing on paper, settled only after default and write-off.
    const intent = await rest("POST", `/loans/${id}/repayments`, {
      token: borrower.token,
      body: { amount: "75.00" },
      headers: { "Idempotency-Key": crypto.randomUUID() },
    });
    expect(intent.status).toBe(200);
    await runDelinquency(world.deps.db, { actorId: null, ip: null, requestId: "test" }, new Date(), {
      policy: loanSettings(world.deps.config).delinquency,
    });
    expect(
      (await rest("POST", `/loans/${id}/write-off`, { token: admin.token, body: { reason: "Gone" } })).status,
    ).toBe(200);
    const { rawBody, signature } = signedEvent(webhookSecret(world.deps), {
      eventId: newEventId(),
      type: "payment.settled",
      reference: intent.body.reference,
      amount: "75.00",
    });
    const settled = await rest("POST", "/payments/webhook", {
      raw: rawBody,
      headers: { "content-type": "application/json", "BlockScore-Signature": signature },
    });
    expect(settled.body.outcome).toBe("settled");
    const books = await world.ledger(id);
    expect(books.balance("loan_losses")).toBe("1125.00");
    expect(books.balance("loans_receivable")).toBe("0.00");
  });
});

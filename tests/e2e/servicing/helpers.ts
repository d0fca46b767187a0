import { expect } from "bun:test";
import { eq } from "drizzle-orm";
import { webhookEvents } from "../../../db/schema";
import { amlConfig } from "../../../server/compliance/aml/monitoring";
import type { AppDeps } from "../../../server/context";
import { runDelinquency } from "../../../server/loans/delinquency-job";
import { loanSettings } from "../../../server/loans/settings";
import { disburseLoan } from "../../../server/loans/workflow";
import { startTestServer, type TestServer, testDeps } from "../../helpers/app";
import { LOAN_TEST_OVERRIDES, makeApplicant, makeStaff, newKey } from "../../helpers/loans";
import { newEventId, signedEvent, webhookSecret } from "../../helpers/payments";
import { type RestResponse, restClient } from "../../helpers/rest";

/** What the servicing tests share: one server, two underwriters (four eyes), an admin, and loans made over HTTP. */

export const DAY = 86_400_000;
export const isoDay = (date: Date) => date.toISOString().slice(0, 10);

export type Staff = Awaited<ReturnType<typeof makeStaff>>;
export type Applicant = Awaited<ReturnType<typeof makeApplicant>>;

export async function servicingWorld() {
  const deps: AppDeps = await testDeps(LOAN_TEST_OVERRIDES);
  const server: TestServer = await startTestServer(deps);
  const rest = restClient(server.url);
  const world = {
    deps,
    server,
    rest,
    underwriter: await makeStaff(deps, "underwriter"),
    second: await makeStaff(deps, "underwriter"),
    admin: await makeStaff(deps, "admin"),
  };

  /** Submitted and approved over HTTP (on the default product unless `productId` is given); returns the loan id. */
  async function approvedLoan(
    borrower: Applicant,
    amount = "1200.00",
    termMonths = 12,
    productId?: string,
  ): Promise<string> {
    const applied = await rest("POST", "/loans/apply", {
      token: borrower.token,
      body: { amount, termMonths, purpose: "Roof repair", ...(productId ? { productId } : {}) },
      headers: { "Idempotency-Key": newKey() },
    });
    expect(applied.status).toBe(200);
    const approved = await rest("POST", `/loans/${applied.body.id}/approve`, {
      token: world.underwriter.token,
    });
    expect(approved.status).toBe(200);
    return applied.body.id;
  }

  /** Paid out by a second staff member, `daysAgo` days back (the domain call moves the clock; HTTP cannot). */
  async function disburse(loanId: string, daysAgo = 0): Promise<void> {
    if (daysAgo === 0) {
      expect((await rest("POST", `/loans/${loanId}/disburse`, { token: world.admin.token })).status).toBe(
        200,
      );
      return;
    }
    const meta = { actorId: world.admin.user.id, ip: null, requestId: "test:disburse" };
    await disburseLoan(
      deps.db,
      meta,
      { outbox: {}, aml: amlConfig(deps.config), fourEyes: true },
      world.admin.user,
      {
        loanId,
        now: new Date(Date.now() - daysAgo * DAY),
      },
    );
  }

  async function disbursedLoan(options: { daysAgo?: number; borrower?: Applicant; amount?: string } = {}) {
    const borrower = options.borrower ?? (await makeApplicant(deps));
    const id = await approvedLoan(borrower, options.amount);
    await disburse(id, options.daysAgo);
    return { borrower, id };
  }

  /** Paid out 200 days ago and run through the delinquency job: defaulted. */
  async function defaultedLoan() {
    const loan = await disbursedLoan({ daysAgo: 200 });
    const meta = { actorId: null, ip: null, requestId: "test:delinquency" };
    await runDelinquency(deps.db, meta, new Date(), { policy: loanSettings(deps.config).delinquency });
    expect((await rest("GET", `/loans/${loan.id}`, { token: world.admin.token })).body.status).toBe(
      "defaulted",
    );
    return loan;
  }

  /** A repayment intent and the provider's signed settlement of it, both over HTTP. */
  async function pay(
    token: string,
    loanId: string,
    amount: string,
    prepayment?: string,
  ): Promise<RestResponse> {
    const intent = await rest("POST", `/loans/${loanId}/repayments`, {
      token,
      body: prepayment ? { amount, prepayment } : { amount },
      headers: { "Idempotency-Key": newKey() },
    });
    expect(intent.status).toBe(200);
    const { rawBody, signature } = signedEvent(webhookSecret(deps), {
      eventId: newEventId(),
      type: "payment.settled",
      reference: intent.body.reference,
      amount,
    });
    const settled = await rest("POST", "/payments/webhook", {
      raw: rawBody,
      headers: { "content-type": "application/json", "BlockScore-Signature": signature },
    });
    expect(settled.body.outcome).toBe("settled");
    return intent;
  }

  /** Registers a webhook endpoint for `events` (nothing delivers here: no job queue), so events are written. */
  async function listenFor(events: string[]): Promise<void> {
    const answer = await rest("POST", "/admin/webhooks", {
      token: world.admin.token,
      body: { url: "http://127.0.0.1:9/servicing", events },
    });
    expect(answer.status).toBe(200);
  }

  /** The payloads of the webhook events of `type` written for one loan. */
  async function eventsOf(type: string, loanId: string): Promise<Record<string, unknown>[]> {
    const rows = await deps.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.orderKey, `loan:${loanId}`));
    return rows.filter((row) => row.type === type).map((row) => row.payload as Record<string, unknown>);
  }

  async function ledger(loanId?: string) {
    const query = loanId ? `?loanId=${loanId}` : "";
    const { body } = await rest("GET", `/admin/ledger/balance${query}`, { token: world.admin.token });
    const balance = (account: string) =>
      body.accounts.find((row: { account: string }) => row.account === account)?.balance as string;
    return { ...body, balance } as {
      balanced: boolean;
      entries: number;
      balance: (account: string) => string;
    };
  }

  async function expectBooksBalanced(): Promise<void> {
    const books = await ledger();
    expect(books.balanced).toBe(true);
  }

  return {
    ...world,
    approvedLoan,
    listenFor,
    eventsOf,
    disburse,
    disbursedLoan,
    defaultedLoan,
    pay,
    ledger,
    expectBooksBalanced,
    applicant: () => makeApplicant(deps),
  };
}

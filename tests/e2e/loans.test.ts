import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { type LoanStatus, loanStatuses } from "../../db/schema/loan-values";
import { amlConfig } from "../../server/compliance/aml/monitoring";
import type { AppDeps } from "../../server/context";
import { runDelinquency } from "../../server/loans/delinquency-job";
import { loanSettings } from "../../server/loans/settings";
import { canTransition } from "../../server/loans/status";
import { disburseLoan } from "../../server/loans/workflow";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { LOAN_TEST_OVERRIDES, makeApplicant, makeStaff, newKey } from "../helpers/loans";
import { newEventId, signedEvent, webhookSecret } from "../helpers/payments";
import { type RestResponse, restClient } from "../helpers/rest";

const DAY = 86_400_000;

let deps: AppDeps;
let server: TestServer;
let rest: ReturnType<typeof restClient>;
let underwriter: Awaited<ReturnType<typeof makeStaff>>;
let admin: Awaited<ReturnType<typeof makeStaff>>;

beforeAll(async () => {
  deps = await testDeps(LOAN_TEST_OVERRIDES);
  server = await startTestServer(deps);
  rest = restClient(server.url);
  underwriter = await makeStaff(deps, "underwriter");
  admin = await makeStaff(deps, "admin");
});
afterAll(async () => {
  await server.stop();
});

// The books balance after every test: debits equal credits over the whole ledger.
afterEach(async () => {
  const { status, body } = await rest("GET", "/admin/ledger/balance", { token: admin.token });
  expect(status).toBe(200);
  expect(body.balanced).toBe(true);
  expect(body.totalDebit).toBe(body.totalCredit);
});

const application = { amount: "5000.00", termMonths: 12, purpose: "Used car" };

function applyFor(token: string, body: object = application, key: string = newKey()): Promise<RestResponse> {
  return rest("POST", "/loans/apply", { token, body, headers: { "Idempotency-Key": key } });
}

function repay(token: string, loanId: string, amount: string, key: string = newKey()): Promise<RestResponse> {
  return rest("POST", `/loans/${loanId}/repayments`, {
    token,
    body: { amount },
    headers: { "Idempotency-Key": key },
  });
}

/** The payment provider's signed event over HTTP, as the provider sends it. */
function providerSettles(payment: { reference: string; amount: string }, amount = payment.amount) {
  const { rawBody, signature } = signedEvent(webhookSecret(deps), {
    eventId: newEventId(),
    type: "payment.settled",
    reference: payment.reference,
    amount,
  });
  return rest("POST", "/payments/webhook", {
    raw: rawBody,
    headers: { "content-type": "application/json", "BlockScore-Signature": signature },
  });
}

/** An applicant's submitted loan, over HTTP. */
async function submittedLoan() {
  const applicant = await makeApplicant(deps);
  const applied = await applyFor(applicant.token);
  expect(applied.status).toBe(200);
  return { applicant, id: applied.body.id as string };
}

/** A fresh loan driven to `status` over HTTP (defaulted: paid out 200 days ago and run through the job). */
async function loanIn(status: LoanStatus) {
  const { applicant, id } = await submittedLoan();
  const post = (action: string, token = underwriter.token, body?: object) =>
    rest("POST", `/loans/${id}/${action}`, { token, body });
  const steps: Record<LoanStatus, () => Promise<unknown>> = {
    submitted: async () => {},
    approved: () => post("approve"),
    rejected: () => post("reject", underwriter.token, { reason: "Insufficient income" }),
    withdrawn: () => post("withdraw", applicant.token),
    disbursed: async () => {
      await post("approve");
      await post("disburse", admin.token);
    },
    repaid: async () => {
      await steps.disbursed();
      const { body } = await rest("GET", `/loans/${id}`, { token: applicant.token });
      const intent = await repay(applicant.token, id, body.outstanding);
      expect((await providerSettles(intent.body)).body.outcome).toBe("settled");
    },
    defaulted: async () => {
      await post("approve");
      const aml = amlConfig(deps.config);
      const meta = { actorId: null, ip: null, requestId: "test" };
      await disburseLoan(deps.db, meta, { outbox: {}, aml, fourEyes: true }, admin.user, {
        loanId: id,
        now: new Date(Date.now() - 200 * DAY),
      });
      await runDelinquency(deps.db, meta, new Date(), { policy: loanSettings(deps.config).delinquency });
    },
    written_off: async () => {
      await steps.defaulted();
      const written = await rest("POST", `/loans/${id}/write-off`, {
        token: admin.token,
        body: { reason: "Uncollectable" },
      });
      expect(written.status).toBe(200);
    },
  };
  await steps[status]();
  const { body } = await rest("GET", `/loans/${id}`, { token: applicant.token });
  expect(body.status).toBe(status);
  return { applicant, id };
}

describe("loans over REST", () => {
  it("quotes terms, naming the field of a bad input", async () => {
    const { token } = await makeApplicant(deps);
    const quote = await rest("POST", "/loans/calculate", {
      token,
      body: { amount: "10000.00", termMonths: 12, apr: "12.00" },
    });
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ apr: "12.00", monthlyPayment: "888.49", totalPayable: "10661.86" });
    expect(quote.body.disclosure.financeCharge).toBe("661.86");

    const notANumber = await rest("POST", "/loans/calculate", {
      token,
      body: { amount: "ten", termMonths: 12 },
    });
    expect(notANumber.status).toBe(400);
    expect(notANumber.body.issues[0]).toMatchObject({
      path: ["amount"],
      message: expect.stringContaining("amount"),
    });
    const tooSmall = await rest("POST", "/loans/calculate", {
      token,
      body: { amount: "100", termMonths: 12 },
    });
    expect(tooSmall).toMatchObject({
      status: 400,
      body: { code: "AMOUNT_OUT_OF_RANGE", details: { field: "amount" } },
    });
    const tooLong = await rest("POST", "/loans/calculate", {
      token,
      body: { amount: 1000, termMonths: 480 },
    });
    expect(tooLong).toMatchObject({
      status: 400,
      body: { code: "TERM_OUT_OF_RANGE", details: { field: "termMonths" } },
    });
    const negative = await rest("POST", "/loans/calculate", {
      token,
      body: { amount: -1000, termMonths: 12 },
    });
    expect(negative.status).toBe(400);
    expect(negative.body.issues[0].path).toEqual(["amount"]);

    const unscored = await makeApplicant(deps, { scoredAt: false });
    const missing = await rest("POST", "/loans/calculate", {
      token: unscored.token,
      body: { amount: 1000, termMonths: 12 },
    });
    expect(missing).toMatchObject({ status: 422, body: { code: "SCORE_MISSING" } });
    expect(missing.body.message).toContain("calculate one first");
  });

  it("applies once per Idempotency-Key, sequential and concurrent retries alike", async () => {
    const applicant = await makeApplicant(deps);
    expect(await rest("POST", "/loans/apply", { token: applicant.token, body: application })).toMatchObject({
      status: 400,
      body: { code: "IDEMPOTENCY_KEY_REQUIRED" },
    });

    const key = newKey();
    const first = await applyFor(applicant.token, application, key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: "submitted",
      amount: "5000.00",
      termMonths: 12,
      purpose: "Used car",
    });
    const retry = await applyFor(applicant.token, { ...application, amount: 5000 }, key);
    expect(retry.status).toBe(first.status);
    expect(retry.body).toEqual(first.body);
    const changed = await applyFor(applicant.token, { ...application, amount: "6000.00" }, key);
    expect(changed).toMatchObject({ status: 422, body: { code: "IDEMPOTENCY_KEY_REUSED" } });

    const burstKey = newKey();
    const burst = await Promise.all(
      Array.from({ length: 5 }, () => applyFor(applicant.token, application, burstKey)),
    );
    expect(burst.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(burst.map((response) => response.body.id)).size).toBe(1);

    const mine = await rest("GET", "/loans", { token: applicant.token });
    expect(mine.body.items.map((loan: { id: string }) => loan.id)).toEqual([
      burst[0]?.body.id,
      first.body.id,
    ]);
  });

  it("refuses an ineligible applicant with 422 and the rule's code", async () => {
    const unverified = await makeApplicant(deps, { kyc: false });
    const refused = await applyFor(unverified.token);
    expect(refused).toMatchObject({ status: 422, body: { code: "KYC_NOT_VERIFIED" } });
    expect((await rest("GET", "/loans", { token: unverified.token })).body.items).toEqual([]);
  });

  it("runs a loan from application to repaid, with the schedule, payments and outstanding balance", async () => {
    const { applicant, id } = await submittedLoan();
    const queue = await rest("GET", "/loans/queue?limit=100", { token: underwriter.token });
    expect(queue.status).toBe(200);
    const created = queue.body.items.map((loan: { createdAt: string }) => loan.createdAt);
    expect(created).toEqual([...created].sort());
    expect(queue.body.items.some((loan: { id: string }) => loan.id === id)).toBe(true);

    // A bare POST, as curl -X POST sends it.
    const approved = await rest("POST", `/loans/${id}/approve`, { token: underwriter.token });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "approved", scheduleFixed: true, outstanding: "0.00" });
    const disbursed = await rest("POST", `/loans/${id}/disburse`, { token: admin.token });
    expect(disbursed.body.status).toBe("disbursed");
    expect(disbursed.body.schedule[0].dueDate > disbursed.body.disbursedAt.slice(0, 10)).toBe(true);
    const total = disbursed.body.outstanding as string;
    expect(total).toBe(disbursed.body.totalPayable);

    const first = disbursed.body.schedule[0];
    const key = newKey();
    const started = await repay(applicant.token, id, first.payment, key);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ amount: first.payment, status: "pending" });
    expect(started.body.reference).toMatch(/^pay_/);
    expect((await repay(applicant.token, id, first.payment, key)).body).toEqual(started.body);
    const unpaid = (await rest("GET", `/loans/${id}`, { token: applicant.token })).body;
    expect(unpaid).toMatchObject({ paid: "0.00", outstanding: total });
    expect(unpaid.payments).toEqual([expect.objectContaining({ id: started.body.id, status: "pending" })]);

    expect((await providerSettles(started.body)).body).toMatchObject({
      outcome: "settled",
      paymentId: started.body.id,
      paymentStatus: "settled",
    });
    const detail = (await rest("GET", `/loans/${id}`, { token: applicant.token })).body;
    expect(detail.schedule[0]).toMatchObject({ state: "paid", paid: first.payment, remaining: "0.00" });
    expect(detail.schedule[1]).toMatchObject({ state: "pending", paid: "0.00" });
    expect(detail.paid).toBe(first.payment);
    expect(detail.payments[0]).toMatchObject({ status: "settled", settledAmount: first.payment });

    const over = await repay(applicant.token, id, "100000.00");
    expect(over).toMatchObject({
      status: 422,
      body: { code: "OVERPAYMENT", details: { outstanding: detail.outstanding } },
    });
    const rest2 = await repay(applicant.token, id, detail.outstanding);
    expect((await providerSettles(rest2.body)).body.outcome).toBe("settled");
    const closed = (await rest("GET", `/loans/${id}`, { token: applicant.token })).body;
    expect(closed).toMatchObject({ status: "repaid", outstanding: "0.00", paid: total });
    expect(closed.history.map((step: { to: string }) => step.to)).toEqual([
      "submitted",
      "approved",
      "disbursed",
      "repaid",
    ]);

    const ledger = await rest("GET", `/admin/ledger/balance?loanId=${id}`, { token: admin.token });
    const balances = Object.fromEntries(
      ledger.body.accounts.map((row: { account: string; balance: string }) => [row.account, row.balance]),
    );
    expect(balances).toEqual({
      cash: closed.totalInterest,
      loans_receivable: "0.00",
      interest_receivable: "0.00",
      interest_income: closed.totalInterest,
      overpayments: "0.00",
      fees_receivable: "0.00",
      fee_income: "0.00",
      loan_losses: "0.00",
    });
  });

  it("pages the applicant's loans newest first", async () => {
    const applicant = await makeApplicant(deps);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await applyFor(applicant.token, { ...application, amount: 1000 + i })).body.id);
    const page1 = await rest("GET", "/loans?limit=2", { token: applicant.token });
    expect(page1.body.items.map((loan: { id: string }) => loan.id)).toEqual([ids[2], ids[1]]);
    const page2 = await rest("GET", `/loans?limit=2&cursor=${page1.body.nextCursor}`, {
      token: applicant.token,
    });
    expect(page2.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    expect((await rest("GET", "/loans?status=approved", { token: applicant.token })).body.items).toEqual([]);
    expect((await rest("GET", "/loans?cursor=bogus", { token: applicant.token })).body.code).toBe(
      "INVALID_CURSOR",
    );
  });
});

describe("the state machine over HTTP", () => {
  const actions = ["approve", "reject", "withdraw", "disburse"] as const;
  const target: Record<(typeof actions)[number], LoanStatus> = {
    approve: "approved",
    reject: "rejected",
    withdraw: "withdrawn",
    disburse: "disbursed",
  };

  for (const from of loanStatuses) {
    it(`from ${from}: allows exactly what the transition table allows`, async () => {
      // One loan takes every refused action (a refusal changes nothing); each allowed one gets a fresh loan.
      const loan = await loanIn(from);
      for (const action of actions) {
        // Only an approved loan is paid out: `defaulted → disbursed` is a restructure's, not the disburse action's.
        const legal = canTransition(from, target[action]) && (action !== "disburse" || from === "approved");
        const subject = legal ? await loanIn(from) : loan;
        // Four eyes: the underwriter approved, an admin pays out.
        const token =
          action === "withdraw"
            ? subject.applicant.token
            : action === "disburse"
              ? admin.token
              : underwriter.token;
        const body = action === "reject" ? { reason: "Policy" } : undefined;
        const response = await rest("POST", `/loans/${subject.id}/${action}`, { token, body });
        if (legal) {
          expect(response.status).toBe(200);
          expect(response.body.status).toBe(target[action]);
        } else {
          expect(response.status).toBe(409);
          expect(response.body.code).toBe("ILLEGAL_TRANSITION");
          expect(response.body.message).toContain(`The loan is ${from}`);
          expect(response.body.details.status).toBe(from);
        }
      }
      const { body } = await rest("GET", `/loans/${loan.id}`, { token: loan.applicant.token });
      expect(body.status).toBe(from);
    }, 60_000);
  }

  it("gives one 200 and one 409 to two underwriters approving at once", async () => {
    const { id } = await submittedLoan();
    const other = await makeStaff(deps, "underwriter");
    const answers = await Promise.all([
      rest("POST", `/loans/${id}/approve`, { token: underwriter.token }),
      rest("POST", `/loans/${id}/approve`, { token: other.token }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const { body } = await rest("GET", `/loans/${id}`, { token: underwriter.token });
    expect(body.history.filter((step: { to: string }) => step.to === "approved")).toHaveLength(1);
  });
});

describe("access to loans", () => {
  it("refuses anonymous callers with 401 on every route", async () => {
    const id = crypto.randomUUID();
    const routes: [string, string][] = [
      ["POST", "/loans/calculate"],
      ["POST", "/loans/apply"],
      ["GET", "/loans"],
      ["GET", "/loans/queue"],
      ["GET", `/loans/${id}`],
      ["POST", `/loans/${id}/withdraw`],
      ["POST", `/loans/${id}/approve`],
      ["POST", `/loans/${id}/reject`],
      ["POST", `/loans/${id}/disburse`],
      ["POST", `/loans/${id}/repayments`],
      ["GET", "/admin/ledger/balance"],
    ];
    for (const [method, path] of routes) {
      const response = await rest(method, path, {
        body: method === "POST" ? { amount: 1000, termMonths: 12 } : undefined,
      });
      expect([path, response.status]).toEqual([path, 401]);
    }
  });

  it("hides a loan from other users (404) and keeps underwriting routes from plain users (403)", async () => {
    const { applicant, id } = await submittedLoan();
    const stranger = await makeApplicant(deps, { kyc: false, scoredAt: false });
    const as = (token: string) => ({
      get: () => rest("GET", `/loans/${id}`, { token }),
      withdraw: () => rest("POST", `/loans/${id}/withdraw`, { token }),
      repay: () => repay(token, id, "10.00"),
      queue: () => rest("GET", "/loans/queue", { token }),
      approve: () => rest("POST", `/loans/${id}/approve`, { token }),
      reject: () => rest("POST", `/loans/${id}/reject`, { token, body: { reason: "No" } }),
      disburse: () => rest("POST", `/loans/${id}/disburse`, { token }),
      ledger: () => rest("GET", "/admin/ledger/balance", { token }),
    });

    const other = as(stranger.token);
    for (const call of [other.get, other.withdraw, other.repay]) {
      expect(await call()).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
    }
    for (const call of [other.queue, other.approve, other.reject, other.disburse, other.ledger]) {
      expect(await call()).toMatchObject({ status: 403, body: { code: "FORBIDDEN" } });
    }
    // The borrower is a plain user too: no deciding their own loan.
    const owner = as(applicant.token);
    for (const call of [owner.queue, owner.approve, owner.reject, owner.disburse, owner.ledger]) {
      expect((await call()).status).toBe(403);
    }
    expect((await rest("GET", "/loans", { token: stranger.token })).body.items).toEqual([]);

    // Underwriters read any loan but act for no borrower, and the ledger is the admins'.
    const staff = as(underwriter.token);
    expect((await staff.get()).body.id).toBe(id);
    expect((await staff.withdraw()).status).toBe(403);
    expect((await staff.repay()).status).toBe(403);
    expect((await staff.ledger()).status).toBe(403);
    expect((await as(admin.token).get()).status).toBe(200);

    expect((await rest("GET", "/loans/not-a-loan", { token: applicant.token })).status).toBe(400);
    expect((await rest("GET", `/loans/${crypto.randomUUID()}`, { token: underwriter.token })).status).toBe(
      404,
    );
  });

  it("documents every loans operation, with the Idempotency-Key header", async () => {
    const { body } = await rest("GET", "/openapi.json");
    const apply = body.paths["/loans/apply"].post;
    expect(apply.parameters).toContainEqual(
      expect.objectContaining({ in: "header", name: "Idempotency-Key" }),
    );
    expect(apply.security).toBeDefined();
    for (const path of [
      "/loans/calculate",
      "/loans/{id}/approve",
      "/loans/{id}/reject",
      "/loans/{id}/disburse",
      "/loans/{id}/withdraw",
      "/loans/{id}/repayments",
    ]) {
      expect(body.paths[path].post.summary).toEqual(expect.any(String));
    }
    for (const path of ["/loans", "/loans/queue", "/loans/{id}", "/admin/ledger/balance"]) {
      expect(body.paths[path].get.summary).toEqual(expect.any(String));
    }
  });
});

import { expect } from "bun:test";
import { eq } from "drizzle-orm";
import { connectDatabase } from "../../db/client";
import { type UserRole, users } from "../../db/schema";
import { FULL_PROFILE } from "./credit";
import { CLEAN_KYC } from "./loans";
import { tokenFromLog } from "./mailbox";
import { newEventId, signedEvent } from "./payments";
import { INSTANCE_ENV } from "./processes";
import { type RestResponse, restClient } from "./rest";
import { totpCode } from "./totp";
import { TEST_PASSWORD, uniqueEmail } from "./users";

/**
 * The whole life of a borrower over REST against a running deployment (one instance, or several behind a load
 * balancer): register, log in, enrol and pass TOTP, fill in the profile, get a score, pass KYC, apply, have the
 * loan approved and paid out by staff, repay it, log out. Every step's answer is checked; the answers are kept,
 * with the instance that served each one when a proxy names it in `X-Upstream`.
 */
export type FlowStep = { step: string; status: number; upstream: string | null };

export type Staff = { underwriter: string; admin: string };

/** Registers a user over REST and grants `role` straight in the database (as `bun run user:role` does). */
export async function registerStaff(baseUrl: string, databaseUrl: string, role: UserRole): Promise<string> {
  const rest = restClient(baseUrl);
  const email = uniqueEmail(role);
  const registered = await rest("POST", "/auth/register", {
    body: { email, password: TEST_PASSWORD, name: `Staff ${role}` },
  });
  expect(registered.status).toBe(200);
  const connection = await connectDatabase({ url: databaseUrl, poolMax: 1 });
  try {
    await connection.db.update(users).set({ role }).where(eq(users.email, email));
  } finally {
    await connection.close();
  }
  // A fresh login, so the session reads the new role (the role is read per request anyway).
  return registered.body.token as string;
}

/**
 * `serverLog` reads the output of the instances behind `baseUrl`: the console provider prints the email
 * verification token there, where the flow reads it as a developer would.
 */
export async function runUserFlow(
  baseUrl: string,
  staff: Staff,
  serverLog: () => string,
): Promise<{ steps: FlowStep[]; loanId: string }> {
  const rest = restClient(baseUrl);
  const steps: FlowStep[] = [];
  const call = async (
    step: string,
    method: string,
    path: string,
    options: Parameters<typeof rest>[2] = {},
    expected = 200,
  ): Promise<RestResponse> => {
    const response = await rest(method, path, options);
    steps.push({ step, status: response.status, upstream: response.headers.get("x-upstream") });
    if (response.status !== expected) {
      throw new Error(
        `${step}: ${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    return response;
  };

  const email = uniqueEmail("flow");
  const registered = await call("register", "POST", "/auth/register", {
    body: { email, password: TEST_PASSWORD, name: "Flow Borrower" },
  });
  const firstToken = registered.body.token as string;
  await call("verify email", "POST", "/auth/email/verify", {
    body: { token: await waitForToken(serverLog, email) },
  });
  const loggedIn = await call("login", "POST", "/auth/login", { body: { email, password: TEST_PASSWORD } });
  const loginToken = loggedIn.body.token as string;

  const setup = await call("mfa setup", "POST", "/auth/mfa/totp/setup", { token: loginToken });
  const secret = setup.body.secret as string;
  await call("mfa confirm", "POST", "/auth/mfa/totp/confirm", {
    token: loginToken,
    body: { code: totpCode(secret) },
  });
  await call("logout of the first session", "POST", "/auth/logout", { token: firstToken });
  const second = await call("login with MFA", "POST", "/auth/login", {
    body: { email, password: TEST_PASSWORD },
  });
  expect(second.body.mfaRequired).toBe(true);
  const token = second.body.token as string;
  await call("blocked before the second factor", "GET", "/profile", { token }, 403);
  // The step after the one confirmed at enrolment: each step is usable once.
  await call("mfa verify", "POST", "/auth/mfa/verify", {
    token,
    body: { code: totpCode(secret, Date.now(), 1) },
  });

  await call("profile", "PATCH", "/profile", { token, body: FULL_PROFILE });
  const profile = await call("profile read", "GET", "/profile", { token });
  expect(profile.body.profile.annualIncome).toBe(FULL_PROFILE.annualIncome);
  const score = await call("score", "POST", "/credit/calculate-score", { token });
  expect(score.body.score).toBeGreaterThanOrEqual(300);
  const kyc = await call("kyc", "POST", "/compliance/kyc", { token, body: CLEAN_KYC });
  expect(kyc.body.status).toBe("verified");

  const key = crypto.randomUUID();
  const application = { amount: "5000.00", termMonths: 12, purpose: "Used car" };
  const applied = await call("apply", "POST", "/loans/apply", {
    token,
    body: application,
    headers: { "Idempotency-Key": key },
  });
  const loanId = applied.body.id as string;
  const retried = await call("apply again with the same key", "POST", "/loans/apply", {
    token,
    body: application,
    headers: { "Idempotency-Key": key },
  });
  expect(retried.body.id).toBe(loanId);
  await call("approve", "POST", `/loans/${loanId}/approve`, { token: staff.underwriter });
  const disbursed = await call("disburse", "POST", `/loans/${loanId}/disburse`, { token: staff.admin });
  const intent = await call("repay", "POST", `/loans/${loanId}/repayments`, {
    token,
    body: { amount: disbursed.body.outstanding },
    headers: { "Idempotency-Key": crypto.randomUUID() },
  });
  // The money moves when the provider says so: its signed event settles the payment intent.
  const { rawBody, signature } = signedEvent(INSTANCE_ENV.PAYMENTS_WEBHOOK_SECRET as string, {
    eventId: newEventId(),
    type: "payment.settled",
    reference: intent.body.reference,
    amount: intent.body.amount,
  });
  const settled = await call("provider settles", "POST", "/payments/webhook", {
    raw: rawBody,
    headers: { "content-type": "application/json", "BlockScore-Signature": signature },
  });
  expect(settled.body.outcome).toBe("settled");
  const loan = await call("loan read", "GET", `/loans/${loanId}`, { token });
  expect(loan.body.status).toBe("repaid");

  await call("logout", "POST", "/auth/logout", { token });
  await call("the session is over on every instance", "GET", "/profile", { token }, 401);
  return { steps, loanId };
}

/** The verification token printed for `email`, once the instance's output has it. */
async function waitForToken(serverLog: () => string, email: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return tokenFromLog(serverLog(), email, "email-verification");
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await Bun.sleep(50);
    }
  }
}

/** The audit chain verifies and the books balance, as an admin sees them. */
export async function expectAuditAndLedgerSound(baseUrl: string, adminToken: string): Promise<void> {
  const rest = restClient(baseUrl);
  const verified = await rest("POST", "/admin/audit/verify", { token: adminToken });
  expect(verified.status).toBe(200);
  expect(verified.body).toMatchObject({ ok: true, firstBroken: null });
  const balance = await rest("GET", "/admin/ledger/balance", { token: adminToken });
  expect(balance.status).toBe(200);
  expect(balance.body.balanced).toBe(true);
  expect(balance.body.totalDebit).toBe(balance.body.totalCredit);
}

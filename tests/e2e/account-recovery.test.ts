/**
 * Account recovery over HTTP: the email verification sent at sign-up (which loans require) and the password
 * reset, with tokens that are single-use, expire after 30 minutes and are kept only as hashes.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { and, desc, eq } from "drizzle-orm";
import { accountTokens, auditLog } from "../../db/schema";
import { ACCOUNT_TOKEN_TTL_MS } from "../../server/auth/account-tokens";
import { deleteExpiredAuthRecords } from "../../server/auth/cleanup";
import { verifyEmail } from "../../server/auth/recovery";
import { hashSessionSecret } from "../../server/auth/session";
import type { AppDeps } from "../../server/context";
import { DomainError } from "../../server/errors";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { LOAN_TEST_OVERRIDES } from "../helpers/loans";
import { isMailbox, type Mailbox } from "../helpers/mailbox";
import { restClient } from "../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

const NEW_PASSWORD = "copper-meadow-violin-77";

let deps: AppDeps;
let server: TestServer;
let rest: ReturnType<typeof restClient>;
let mailbox: Mailbox;

beforeAll(async () => {
  deps = await testDeps(LOAN_TEST_OVERRIDES);
  if (!isMailbox(deps.otpSender)) throw new Error("the test deps send through a mailbox");
  mailbox = deps.otpSender;
  server = await startTestServer(deps);
  rest = restClient(server.url);
});
afterAll(async () => {
  await server.stop();
});

async function signUp() {
  const email = uniqueEmail("recovery");
  const { status, body } = await rest("POST", "/auth/register", {
    body: { email, password: TEST_PASSWORD, name: "Recovering User" },
  });
  expect(status).toBe(200);
  return { email, token: body.token as string, id: body.user.id as string };
}

const application = { amount: "2000.00", termMonths: 12, purpose: "Laptop" };
const apply = (token: string) =>
  rest("POST", "/loans/apply", {
    token,
    body: application,
    headers: { "Idempotency-Key": crypto.randomUUID() },
  });

/** A reset's tokens are sent after the answer: wait for the message to arrive. */
async function nextResetToken(email: string, previous: string | null = null): Promise<string> {
  for (let tries = 0; tries < 200; tries += 1) {
    const found = mailbox.messages.findLast((m) => m.to === email && m.purpose === "password-reset");
    if (found && found.code !== previous) return found.code;
    await Bun.sleep(10);
  }
  throw new Error(`no password reset token reached ${email}`);
}

describe("email verification", () => {
  it("sends a token at sign-up; loans are refused with 403 EMAIL_NOT_VERIFIED until it is used, once", async () => {
    const user = await signUp();
    const token = mailbox.latest(user.email, "email-verification");
    expect(await apply(user.token)).toMatchObject({ status: 403, body: { code: "EMAIL_NOT_VERIFIED" } });

    expect(await rest("POST", "/auth/email/verify", { body: { token } })).toMatchObject({
      status: 200,
      body: { success: true },
    });
    // Past the email gate, the next rule speaks: this user has no KYC yet.
    expect(await apply(user.token)).toMatchObject({ status: 422, body: { code: "KYC_NOT_VERIFIED" } });
    expect(await rest("POST", "/auth/email/verify", { body: { token } })).toMatchObject({
      status: 400,
      body: { code: "INVALID_TOKEN" },
    });
    const [audited] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "auth.email_verified"), eq(auditLog.subjectId, user.id)));
    expect(audited?.actorId).toBe(user.id);
  });

  it("keeps only the token's SHA-256, and refuses it 30 minutes after it was sent", async () => {
    const user = await signUp();
    const token = mailbox.latest(user.email, "email-verification");
    const [row] = await deps.db.select().from(accountTokens).where(eq(accountTokens.userId, user.id));
    expect(row?.tokenHash).toBe(hashSessionSecret(token));
    expect(JSON.stringify(row)).not.toContain(token);

    const later = new Date(Date.now() + ACCOUNT_TOKEN_TTL_MS + 1000);
    const meta = { actorId: null, ip: null, requestId: "test" };
    const refused = await verifyEmail(deps.db, deps, { token, meta, now: later }).catch((error) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe("INVALID_TOKEN");
    expect(await apply(user.token)).toMatchObject({ status: 403, body: { code: "EMAIL_NOT_VERIFIED" } });

    // The daily clean-up deletes it then.
    await deleteExpiredAuthRecords(deps.db, { now: later, sessionMaxAgeMs: 90 * 86_400_000 });
    expect(await deps.db.select().from(accountTokens).where(eq(accountTokens.userId, user.id))).toEqual([]);
  });

  it("sends a new token on request to a signed-in user; the older one stops working", async () => {
    const user = await signUp();
    const first = mailbox.latest(user.email, "email-verification");
    expect(await rest("POST", "/auth/email/send-verification")).toMatchObject({ status: 401 });
    const resent = await rest("POST", "/auth/email/send-verification", { token: user.token });
    expect(resent).toMatchObject({ status: 200, body: { success: true, alreadyVerified: false } });
    const second = mailbox.latest(user.email, "email-verification");
    expect(second).not.toBe(first);
    expect((await rest("POST", "/auth/email/verify", { body: { token: first } })).status).toBe(400);
    expect((await rest("POST", "/auth/email/verify", { body: { token: second } })).status).toBe(200);
    const again = await rest("POST", "/auth/email/send-verification", { token: user.token });
    expect(again.body.alreadyVerified).toBe(true);
  });

  it("refuses a missing or malformed token with 400 and the field named", async () => {
    const missing = await rest("POST", "/auth/email/verify", { body: {} });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain("token");
    expect((await rest("POST", "/auth/email/verify", { body: { token: "x".repeat(500) } })).status).toBe(400);
  });
});

describe("password reset", () => {
  it("answers the same for an unknown address, and sends nothing there", async () => {
    const user = await signUp();
    const known = await rest("POST", "/auth/password-reset/request", { body: { email: user.email } });
    const unknownEmail = uniqueEmail("nobody");
    const unknown = await rest("POST", "/auth/password-reset/request", { body: { email: unknownEmail } });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    await nextResetToken(user.email);
    expect(mailbox.messages.some((message) => message.to === unknownEmail)).toBe(false);
  });

  it("sets the new password once, ends every session and audits it", async () => {
    const user = await signUp();
    const second = await rest("POST", "/auth/login", {
      body: { email: user.email, password: TEST_PASSWORD },
    });
    await rest("POST", "/auth/password-reset/request", { body: { email: user.email } });
    const token = await nextResetToken(user.email);

    const weak = await rest("POST", "/auth/password-reset/confirm", {
      body: { token, newPassword: "password1234" },
    });
    expect(weak).toMatchObject({ status: 400, body: { code: "WEAK_PASSWORD" } });
    // A refused password leaves the token usable.
    const done = await rest("POST", "/auth/password-reset/confirm", {
      body: { token, newPassword: NEW_PASSWORD },
    });
    expect(done).toMatchObject({ status: 200, body: { success: true, endedSessions: 2 } });

    for (const session of [user.token, second.body.token]) {
      expect((await rest("GET", "/auth/sessions", { token: session })).status).toBe(401);
    }
    const reused = await rest("POST", "/auth/password-reset/confirm", {
      body: { token, newPassword: `${NEW_PASSWORD}-again` },
    });
    expect(reused).toMatchObject({ status: 400, body: { code: "INVALID_TOKEN" } });
    const oldLogin = await rest("POST", "/auth/login", {
      body: { email: user.email, password: TEST_PASSWORD },
    });
    expect(oldLogin.status).toBe(401);
    const newLogin = await rest("POST", "/auth/login", {
      body: { email: user.email, password: NEW_PASSWORD },
    });
    expect(newLogin.status).toBe(200);

    const [entry] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "auth.password_reset"), eq(auditLog.subjectId, user.id)))
      .orderBy(desc(auditLog.seq));
    expect(entry?.details).toEqual({ endedSessions: 2 });
    // Receiving the token proved the address too.
    expect(await apply(newLogin.body.token)).toMatchObject({
      status: 422,
      body: { code: "KYC_NOT_VERIFIED" },
    });
  });

  it("only the latest reset token works, and never for email verification", async () => {
    const user = await signUp();
    await rest("POST", "/auth/password-reset/request", { body: { email: user.email } });
    const first = await nextResetToken(user.email);
    await rest("POST", "/auth/password-reset/request", { body: { email: user.email } });
    const second = await nextResetToken(user.email, first);
    const stale = await rest("POST", "/auth/password-reset/confirm", {
      body: { token: first, newPassword: NEW_PASSWORD },
    });
    expect(stale.status).toBe(400);
    expect((await rest("POST", "/auth/email/verify", { body: { token: second } })).status).toBe(400);
    const confirmed = await rest("POST", "/auth/password-reset/confirm", {
      body: { token: second, newPassword: NEW_PASSWORD },
    });
    expect(confirmed.status).toBe(200);
  });
});

describe("password reset limits", () => {
  let limited: TestServer;
  let call: ReturnType<typeof restClient>;

  beforeAll(async () => {
    const limitedDeps = await testDeps({
      RATE_LIMIT_ACCOUNT_EMAIL: "2/3600",
      RATE_LIMIT_PASSWORD_RESET_IP: "7/3600",
    });
    limited = await startTestServer(limitedDeps);
    call = restClient(limited.url);
  });
  afterAll(async () => {
    await limited.stop();
  });

  it("limits requests per address asked for, alike for an account that exists and one that does not", async () => {
    const user = await signUp();
    for (const email of [user.email, uniqueEmail("nobody")]) {
      for (let i = 0; i < 2; i += 1) {
        expect((await call("POST", "/auth/password-reset/request", { body: { email } })).status).toBe(200);
      }
      const refused = await call("POST", "/auth/password-reset/request", { body: { email } });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });

  it("limits requests per client address across emails", async () => {
    // Six of this address's seven were spent above, refusals included.
    expect(
      (await call("POST", "/auth/password-reset/request", { body: { email: uniqueEmail("a") } })).status,
    ).toBe(200);
    const refused = await call("POST", "/auth/password-reset/request", { body: { email: uniqueEmail("b") } });
    expect(refused).toMatchObject({ status: 429, body: { code: "RATE_LIMITED" } });
  });
});

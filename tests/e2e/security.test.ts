import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { decodeBase32 } from "@oslojs/encoding";
import { eq, min, sql } from "drizzle-orm";
import type { DatabaseConnection } from "../../db/client";
import { auditLog, users } from "../../db/schema";
import { consoleOtpSender } from "../../server/auth/otp-sender";
import type { AppDeps } from "../../server/context";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { createTestDatabase } from "../helpers/database";
import { restClient } from "../helpers/rest";
import { totpCode } from "../helpers/totp";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

const otpLines: string[] = [];
let deps: AppDeps;
let server: TestServer;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  deps = await testDeps({ LOGIN_LOCKOUT_BASE_SECONDS: "60", MFA_ENCRYPTION_KEY: "ab".repeat(32) });
  deps.otpSender = consoleOtpSender((line) => otpLines.push(line));
  server = await startTestServer(deps);
  rest = restClient(server.url);
});
afterAll(() => server.stop());

async function signUp() {
  const email = uniqueEmail("sec");
  const { body } = await rest("POST", "/auth/register", {
    body: { email, password: TEST_PASSWORD, name: "Sec User" },
  });
  return { email, token: body.token as string, id: body.user.id as string };
}

/** Enrols TOTP and returns the base32 secret and the recovery codes. */
async function enrol(token: string) {
  const setup = await rest("POST", "/auth/mfa/totp/setup", { token });
  expect(setup.status).toBe(200);
  expect(setup.body.uri).toStartWith("otpauth://totp/");
  const confirm = await rest("POST", "/auth/mfa/totp/confirm", {
    token,
    body: { code: totpCode(setup.body.secret) },
  });
  expect(confirm.status).toBe(200);
  return { secret: setup.body.secret as string, recoveryCodes: confirm.body.recoveryCodes as string[] };
}

async function login(email: string, password = TEST_PASSWORD) {
  return rest("POST", "/auth/login", { body: { email, password } });
}

describe("TOTP", () => {
  it("enrols with ten recovery codes and then requires a second factor at login", async () => {
    const { email, token } = await signUp();
    const { secret, recoveryCodes } = await enrol(token);
    expect(recoveryCodes).toHaveLength(10);
    const { body } = await login(email);
    expect(body.mfaRequired).toBe(true);
    const pending = body.token;
    const blocked = await rest("GET", "/profile", { token: pending });
    expect(blocked).toMatchObject({ status: 403, body: { code: "MFA_REQUIRED" } });
    // The next step: the code the login used at enrolment is spent, so use the following one.
    const verify = await rest("POST", "/auth/mfa/verify", {
      token: pending,
      body: { code: totpCode(secret, Date.now(), 1) },
    });
    expect(verify).toMatchObject({ status: 200, body: { success: true, method: "totp" } });
    expect((await rest("GET", "/profile", { token: pending })).status).toBe(200);
  });

  it("keeps the authenticator key sealed in the database", async () => {
    const { token, id } = await signUp();
    const { secret } = await enrol(token);
    const [row] = await deps.db.select({ totpKey: users.totpKey }).from(users).where(eq(users.id, id));
    expect(row?.totpKey).toStartWith("sealed:v1:");
    const keyHex = Buffer.from(decodeBase32(secret)).toString("hex");
    expect(row?.totpKey).not.toContain(keyHex);
  });

  it("refuses a replayed code", async () => {
    const { email, token } = await signUp();
    const { secret } = await enrol(token);
    const first = (await login(email)).body.token;
    const second = (await login(email)).body.token;
    const code = totpCode(secret, Date.now(), 1);
    expect((await rest("POST", "/auth/mfa/verify", { token: first, body: { code } })).status).toBe(200);
    const replay = await rest("POST", "/auth/mfa/verify", { token: second, body: { code } });
    expect(replay).toMatchObject({ status: 400, body: { code: "INVALID_CODE" } });
  });

  it("refuses a wrong code and a malformed one", async () => {
    const { email, token } = await signUp();
    const { secret } = await enrol(token);
    const pending = (await login(email)).body.token;
    const wrong = String((Number(totpCode(secret, Date.now(), 1)) + 1) % 1_000_000).padStart(6, "0");
    expect((await rest("POST", "/auth/mfa/verify", { token: pending, body: { code: wrong } })).status).toBe(
      400,
    );
    expect((await rest("POST", "/auth/mfa/verify", { token: pending, body: { code: "12ab" } })).status).toBe(
      400,
    );
    expect((await rest("GET", "/profile", { token: pending })).status).toBe(403);
  });

  it("logs in with a recovery code exactly once", async () => {
    const { email, token } = await signUp();
    const { recoveryCodes } = await enrol(token);
    const recoveryCode = recoveryCodes[0] ?? "";
    const first = (await login(email)).body.token;
    const used = await rest("POST", "/auth/mfa/verify", { token: first, body: { recoveryCode } });
    expect(used.body.method).toBe("recovery_code");
    const second = (await login(email)).body.token;
    expect((await rest("POST", "/auth/mfa/verify", { token: second, body: { recoveryCode } })).status).toBe(
      400,
    );
  });

  it("disables MFA only with a current code or the password", async () => {
    const { email, token } = await signUp();
    await enrol(token);
    expect(
      (await rest("POST", "/auth/mfa/disable", { token, body: { password: "wrong-password-42" } })).status,
    ).toBe(400);
    expect(
      (await rest("POST", "/auth/mfa/disable", { token, body: { password: TEST_PASSWORD } })).status,
    ).toBe(200);
    expect((await login(email)).body.mfaRequired).toBe(false);
  });

  it("lets a pending session log out but not change the password", async () => {
    const { email, token } = await signUp();
    await enrol(token);
    const pending = (await login(email)).body.token;
    const change = await rest("POST", "/auth/change-password", {
      token: pending,
      body: { currentPassword: TEST_PASSWORD, newPassword: "another-fine-passphrase-8" },
    });
    expect(change.status).toBe(403);
    expect((await rest("POST", "/auth/logout", { token: pending })).status).toBe(200);
  });
});

describe("codes by SMS or email", () => {
  it("sends a six-digit code through the console provider that completes the login once", async () => {
    const { email, token } = await signUp();
    await enrol(token);
    const pending = (await login(email)).body.token;
    const sent = await rest("POST", "/auth/mfa/otp/send", { token: pending, body: { channel: "email" } });
    expect(sent.status).toBe(200);
    const line = otpLines.findLast((entry) => entry.includes(email)) ?? "";
    const code = /code is (\d{6})/.exec(line)?.[1] ?? "";
    expect(code).toMatch(/^\d{6}$/);
    expect((await rest("POST", "/auth/mfa/verify", { token: pending, body: { code } })).body.method).toBe(
      "one_time_code",
    );
    const again = (await login(email)).body.token;
    expect((await rest("POST", "/auth/mfa/verify", { token: again, body: { code } })).status).toBe(400);
  });

  it("refuses SMS without a phone number and sends to the profile's number", async () => {
    const { email, token } = await signUp();
    await enrol(token);
    const pending = (await login(email)).body.token;
    const refused = await rest("POST", "/auth/mfa/otp/send", { token: pending, body: { channel: "sms" } });
    expect(refused.body.code).toBe("PHONE_MISSING");
    await rest("PATCH", "/profile", { token, body: { phoneNumber: "+14155550123" } });
    expect(
      (await rest("POST", "/auth/mfa/otp/send", { token: pending, body: { channel: "sms" } })).status,
    ).toBe(200);
    expect(otpLines.at(-1)).toContain("sms to +14155550123");
  });
});

describe("login brute-force protection", () => {
  it("locks an account after five failures with Retry-After, the same for an unknown email", async () => {
    const { email } = await signUp();
    const unknown = uniqueEmail("ghost");
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await login(email, "wrong-password-00")).status).toBe(401);
      expect((await login(unknown, "wrong-password-00")).status).toBe(401);
    }
    const locked = await login(email);
    const ghost = await login(unknown, "wrong-password-00");
    for (const response of [locked, ghost]) {
      expect(response.status).toBe(429);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(response.headers.get("ratelimit-limit")).toBeTruthy();
      expect(response.headers.get("ratelimit-remaining")).toBe("0");
      expect(response.headers.get("ratelimit-reset")).toBeTruthy();
    }
    // The two answers come a moment apart, so their countdowns may differ by a second; nothing else may.
    const withoutCountdown = (body: unknown) =>
      JSON.parse(JSON.stringify(body), (key, value) => (key === "retryAfterSeconds" ? undefined : value));
    expect(withoutCountdown(locked.body)).toEqual(withoutCountdown(ghost.body));
    expect(
      Math.abs(Number(locked.headers.get("retry-after")) - Number(ghost.headers.get("retry-after"))),
    ).toBeLessThanOrEqual(1);
  });

  it("resets the failure count after a successful login", async () => {
    const { email } = await signUp();
    for (let round = 0; round < 3; round += 1) {
      for (let attempt = 0; attempt < 4; attempt += 1) await login(email, "wrong-password-00");
      expect((await login(email)).status).toBe(200);
    }
  });
});

describe("roles and admin routes", () => {
  const adminRoutes: [string, string, unknown?][] = [
    ["GET", "/admin/users"],
    ["POST", `/admin/users/${crypto.randomUUID()}/role`, { role: "admin" }],
    ["GET", "/admin/audit"],
    ["POST", "/admin/audit/verify"],
  ];

  it("refuses every admin route to a plain user (403) and to an anonymous caller (401)", async () => {
    const { token } = await signUp();
    for (const [method, path, body] of adminRoutes) {
      expect((await rest(method, path, { token, body })).status).toBe(403);
      expect((await rest(method, path, { body })).status).toBe(401);
    }
  });

  it("lets an admin list users, grant a role, and read the audit of it", async () => {
    const admin = await signUp();
    const target = await signUp();
    await deps.db.update(users).set({ role: "admin" }).where(eq(users.id, admin.id));
    const listed = await rest("GET", `/admin/users?email=${encodeURIComponent(target.email)}`, {
      token: admin.token,
    });
    expect(listed.body.items.map((u: { id: string }) => u.id)).toEqual([target.id]);
    const granted = await rest("POST", `/admin/users/${target.id}/role`, {
      token: admin.token,
      body: { role: "underwriter" },
    });
    expect(granted.body.user.role).toBe("underwriter");
    const audit = await rest("GET", `/admin/audit?action=admin.role_grant&userId=${admin.id}`, {
      token: admin.token,
    });
    expect(audit.body.items[0]).toMatchObject({
      subjectId: target.id,
      details: { from: "user", to: "underwriter" },
    });
    expect(
      (await rest("POST", `/admin/users/${target.id}/role`, { token: admin.token, body: { role: "king" } }))
        .status,
    ).toBe(400);
  });
});

describe("audit verification over HTTP", () => {
  let connection: DatabaseConnection;
  let isolated: TestServer;

  beforeAll(async () => {
    connection = await createTestDatabase();
    isolated = await startTestServer(await testDeps({}, { connection }));
  });
  afterAll(async () => {
    await isolated.stop();
    await connection.close();
  });

  it("names an audit row edited in the database", async () => {
    const api = restClient(isolated.url);
    const email = uniqueEmail("audit");
    const { body } = await api("POST", "/auth/register", {
      body: { email, password: TEST_PASSWORD, name: "Auditor" },
    });
    await connection.db.update(users).set({ role: "admin" }).where(eq(users.id, body.user.id));
    await api("POST", "/auth/login", { body: { email, password: TEST_PASSWORD } });
    const clean = await api("POST", "/admin/audit/verify", { token: body.token });
    expect(clean.body).toMatchObject({ ok: true, firstBroken: null });
    const seq = await firstSeq(connection);
    await connection.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await connection.db.execute(
      sql`update audit_log set action = 'auth.nothing_happened' where seq = ${seq}`,
    );
    await connection.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    const broken = await api("POST", "/admin/audit/verify", { token: body.token });
    expect(broken.body).toMatchObject({ ok: false, firstBroken: { seq, reason: "hash_mismatch" } });
  });
});

async function firstSeq(connection: DatabaseConnection): Promise<number> {
  const [row] = await connection.db.select({ seq: min(auditLog.seq) }).from(auditLog);
  return Number(row?.seq);
}

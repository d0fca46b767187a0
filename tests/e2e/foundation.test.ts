import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { TRPCClientError } from "@trpc/client";
import { createClient } from "../../client";
import type { AppDeps } from "../../server/context";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { restClient } from "../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

let deps: AppDeps;
let server: TestServer;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  deps = await testDeps({ CORS_ORIGINS: "https://app.example.test", BODY_LIMIT_BYTES: "4096" });
  server = await startTestServer(deps);
  rest = restClient(server.url);
});
afterAll(() => server.stop());

async function signUp(name = "Rest User") {
  const email = uniqueEmail("e2e");
  const { status, body } = await rest("POST", "/auth/register", {
    body: { email, password: TEST_PASSWORD, name },
  });
  expect(status).toBe(200);
  return { email, token: body.token as string, id: body.user.id as string };
}

describe("REST contract", () => {
  it("reports health with every dependency's check", async () => {
    const { status, body } = await rest("GET", "/health");
    expect(status).toBe(200);
    expect(body.status).toBe("ok");
    expect(Object.keys(body.checks).sort()).toEqual(["blockchain", "database", "model", "redis"]);
    expect(body.checks.redis.status).toBe(process.env.REDIS_URL ? "ok" : "not_configured");
  });

  it("registers, logs in, reads and patches the profile, and logs out", async () => {
    const email = uniqueEmail("flow");
    const registered = await rest("POST", "/auth/register", {
      body: { email, password: TEST_PASSWORD, name: "Flow" },
    });
    expect(registered.body).toEqual({
      user: { id: expect.any(String), email, name: "Flow" },
      token: expect.any(String),
    });
    const login = await rest("POST", "/auth/login", { body: { email, password: TEST_PASSWORD } });
    const token = login.body.token;
    expect(login.status).toBe(200);
    expect(typeof token).toBe("string");
    expect(Date.parse(login.body.expiresAt)).toBeGreaterThan(Date.now());
    expect(login.body.user).toMatchObject({ email, role: "user" });
    const patched = await rest("PATCH", "/profile", { token, body: { annualIncome: 72000, dependants: 1 } });
    expect(patched.body.profile).toMatchObject({ annualIncome: "72000.00", dependants: 1 });
    const profile = await rest("GET", "/profile", { token });
    expect(profile.body.user.email).toBe(email);
    // As curl -X POST sends it: no body, no content type.
    const logout = await rest("POST", "/auth/logout", { token });
    expect(logout).toMatchObject({ status: 200, body: { success: true } });
    expect((await rest("GET", "/profile", { token })).status).toBe(401);
  });

  it("accepts the session cookie set at login", async () => {
    const { email } = await signUp();
    const response = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: TEST_PASSWORD }),
    });
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toContain("HttpOnly");
    const profile = await rest("GET", "/profile", { headers: { cookie: cookie.split(";")[0] ?? "" } });
    expect(profile.status).toBe(200);
  });

  it("lists sessions and changes the password over REST", async () => {
    const { email, token } = await signUp();
    const other = (await rest("POST", "/auth/login", { body: { email, password: TEST_PASSWORD } })).body
      .token;
    expect((await rest("GET", "/auth/sessions", { token })).body.sessions).toHaveLength(2);
    const changed = await rest("POST", "/auth/change-password", {
      token,
      body: { currentPassword: TEST_PASSWORD, newPassword: "quartz-orchard-bicycle-19" },
    });
    expect(changed.body).toEqual({ success: true, endedSessions: 1 });
    expect((await rest("GET", "/profile", { token: other })).status).toBe(401);
  });

  it("serves the OpenAPI document and an offline docs page", async () => {
    const { status, body } = await rest("GET", "/openapi.json");
    expect(status).toBe(200);
    expect(body.paths["/auth/register"].post).toBeDefined();
    expect(body.paths["/profile"].patch.security).toBeDefined();
    const docs = await fetch(`${server.url}/docs`);
    const html = await docs.text();
    expect(docs.headers.get("content-type")).toContain("text/html");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });
});

describe("access control over HTTP", () => {
  it("a second user sees only their own profile and sessions, and cannot revoke the first's", async () => {
    const first = await signUp("First");
    const second = await signUp("Second");
    await rest("PATCH", "/profile", { token: first.token, body: { annualIncome: "99000.00" } });
    const seen = await rest("GET", "/profile", { token: second.token });
    expect(seen.body.user.id).toBe(second.id);
    expect(seen.body.profile.annualIncome).toBeNull();
    const firstSessionId = first.token.split(".")[0];
    expect((await rest("DELETE", `/auth/sessions/${firstSessionId}`, { token: second.token })).status).toBe(
      404,
    );
    const sessions = await rest("GET", "/auth/sessions", { token: second.token });
    expect(sessions.body.sessions.map((s: { id: string }) => s.id)).not.toContain(firstSessionId);
    expect((await rest("GET", "/profile", { token: first.token })).status).toBe(200);
  });

  it("refuses a revoked token, a forged token and no token", async () => {
    const { email, token } = await signUp();
    const other = (await rest("POST", "/auth/login", { body: { email, password: TEST_PASSWORD } })).body
      .token;
    await rest("DELETE", `/auth/sessions/${other.split(".")[0]}`, { token });
    expect((await rest("GET", "/profile", { token: other })).status).toBe(401);
    expect((await rest("GET", "/profile", { token: `${token.split(".")[0]}.forged` })).status).toBe(401);
    expect((await rest("GET", "/profile")).status).toBe(401);
  });
});

describe("bad input over HTTP", () => {
  it("answers malformed JSON, wrong types, missing fields and unknown content types with 4xx", async () => {
    const cases = [
      await rest("POST", "/auth/register", {
        raw: "{not json",
        headers: { "content-type": "application/json" },
      }),
      await rest("POST", "/auth/register", { body: { email: 42, password: true, name: [] } }),
      await rest("POST", "/auth/register", { body: { email: uniqueEmail() } }),
      await rest("POST", "/auth/register", { raw: "email=a", headers: { "content-type": "text/plain" } }),
    ];
    for (const response of cases) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body.code).toEqual(expect.any(String));
      expect(response.body.message).toEqual(expect.any(String));
      expect(JSON.stringify(response.body)).not.toContain("at ");
    }
    expect(cases[2]?.body.issues.map((issue: { path: string[] }) => issue.path[0]).sort()).toEqual([
      "name",
      "password",
    ]);
  });

  it("refuses an oversized body with 413 and changes nothing", async () => {
    const { token } = await signUp();
    const response = await rest("PATCH", "/profile", { token, body: { name: "x".repeat(10_000) } });
    expect(response.status).toBe(413);
    expect((await rest("GET", "/profile", { token })).body.user.name).toBe("Rest User");
  });

  it("refuses a wrong-typed profile patch and keeps the stored values", async () => {
    const { token } = await signUp();
    await rest("PATCH", "/profile", { token, body: { dependants: 2 } });
    const response = await rest("PATCH", "/profile", { token, body: { dependants: "two" } });
    expect(response.status).toBe(400);
    expect(response.body.issues[0].path).toEqual(["dependants"]);
    expect((await rest("GET", "/profile", { token })).body.profile.dependants).toBe(2);
  });

  it("answers an unknown route with a JSON 404", async () => {
    expect((await rest("GET", "/does-not-exist")).status).toBe(404);
  });
});

describe("response hygiene", () => {
  it("echoes a sane X-Request-Id, or makes one, and sends security headers", async () => {
    const given = await fetch(`${server.url}/api/health`, { headers: { "x-request-id": "trace-123" } });
    expect(given.headers.get("x-request-id")).toBe("trace-123");
    const made = await fetch(`${server.url}/api/health`, {
      headers: { "x-request-id": "bad id\twith spaces" },
    });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.headers.get("x-content-type-options")).toBe("nosniff");
    expect(made.headers.get("x-frame-options")).toBe("DENY");
  });

  it("allows CORS only for configured origins", async () => {
    const allowed = await fetch(`${server.url}/api/health`, {
      headers: { origin: "https://app.example.test" },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.test");
    const denied = await fetch(`${server.url}/api/health`, { headers: { origin: "https://evil.example" } });
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("typed tRPC client", () => {
  it("signs up, logs in and reads the profile with end-to-end types", async () => {
    const email = uniqueEmail("trpc");
    const anonymous = createClient({ url: server.url });
    await anonymous.auth.register.mutate({ email, password: TEST_PASSWORD, name: "Typed" });
    const { token, expiresAt } = await anonymous.auth.login.mutate({ email, password: TEST_PASSWORD });
    expect(expiresAt).toBeInstanceOf(Date);
    const client = createClient({ url: server.url, token });
    const [{ user }, { sessions }] = await Promise.all([
      client.profile.get.query(),
      client.auth.sessions.query(),
    ]);
    expect(user.email).toBe(email);
    expect(sessions).toHaveLength(2);
  });

  it("gets field errors and no stack trace for bad input", async () => {
    const error = await createClient({ url: server.url })
      .auth.register.mutate({ email: "not-an-email", password: TEST_PASSWORD, name: "X" })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error.data.httpStatus).toBe(400);
    expect(error.data.fieldErrors.email).toBeDefined();
    expect(error.data.stack).toBeUndefined();
  });
});

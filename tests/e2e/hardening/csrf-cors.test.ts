import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { resolve } from "node:path";
import { ConfigError, loadConfig } from "../../../server/config";
import type { AppDeps } from "../../../server/context";
import { startTestServer, type TestServer, testDeps } from "../../helpers/app";
import { callerWithKey, LOAN_TEST_OVERRIDES, makeApplicant, newKey } from "../../helpers/loans";
import { TEST_PASSWORD, uniqueEmail } from "../../helpers/users";

const APP_ORIGIN = "https://app.example.test";
let deps: AppDeps;
let server: TestServer;

beforeAll(async () => {
  deps = await testDeps({ ...LOAN_TEST_OVERRIDES, CORS_ORIGINS: APP_ORIGIN });
  server = await startTestServer(deps);
});
afterAll(() => server.stop());

/** A submitted loan and the session cookie of its applicant, as a browser holds it. */
async function loanWithCookie() {
  const applicant = await makeApplicant(deps);
  const loan = await (await callerWithKey(deps, applicant.token, newKey())).loans.submit({
    amount: "10000.00",
    termMonths: 12,
    purpose: "Home improvement",
  });
  return {
    loanId: loan.id,
    token: applicant.token,
    cookie: `${deps.config.SESSION_COOKIE_NAME}=${applicant.token}`,
  };
}

/** A bodiless POST, as a form or `fetch` on another site would send it with the cookie the browser holds. */
function withdraw(loanId: string, headers: Record<string, string>) {
  return fetch(`${server.url}/api/loans/${loanId}/withdraw`, { method: "POST", headers });
}

async function status(loanId: string, token: string) {
  const response = await fetch(`${server.url}/api/loans/${loanId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await response.json()) as { status: string }).status;
}

describe("CSRF on cookie sessions", () => {
  it("refuses a cookie-authenticated withdraw from https://evil.example with 403 CSRF_REJECTED and changes nothing", async () => {
    const { loanId, token, cookie } = await loanWithCookie();
    const answer = await withdraw(loanId, { cookie, origin: "https://evil.example" });
    expect(answer.status).toBe(403);
    expect(await answer.json()).toMatchObject({ code: "CSRF_REJECTED" });
    expect(await status(loanId, token)).toBe("submitted");
  });

  it("refuses a cookie-authenticated change with no Origin and no Sec-Fetch-Site, or a cross-site one", async () => {
    const { loanId, token, cookie } = await loanWithCookie();
    expect((await withdraw(loanId, { cookie })).status).toBe(403);
    expect((await withdraw(loanId, { cookie, "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect(await status(loanId, token)).toBe("submitted");
  });

  it("accepts the server's own origin, an origin in CORS_ORIGINS, and Sec-Fetch-Site: same-origin", async () => {
    const allowed: Record<string, string>[] = [
      { origin: server.url },
      { origin: APP_ORIGIN },
      { "sec-fetch-site": "same-origin" },
    ];
    for (const headers of allowed) {
      const { loanId, token, cookie } = await loanWithCookie();
      const answer = await withdraw(loanId, { cookie, ...headers });
      expect(answer.status).toBe(200);
      expect(await status(loanId, token)).toBe("withdrawn");
    }
  });

  it("leaves bearer-token requests alone: a bodiless POST with any Origin is accepted", async () => {
    const { loanId, token } = await loanWithCookie();
    const answer = await withdraw(loanId, {
      authorization: `Bearer ${token}`,
      origin: "https://evil.example",
    });
    expect(answer.status).toBe(200);
    expect(await status(loanId, token)).toBe("withdrawn");
  });

  it("holds on the tRPC transport too, and leaves reads alone", async () => {
    const { loanId, token, cookie } = await loanWithCookie();
    const trpcWithdraw = (origin: string) =>
      fetch(`${server.url}/trpc/loans.withdraw?batch=1`, {
        method: "POST",
        headers: { cookie, origin, "content-type": "application/json" },
        body: JSON.stringify({ 0: { json: { id: loanId } } }),
      });
    expect((await trpcWithdraw("https://evil.example")).status).toBe(403);
    expect(await status(loanId, token)).toBe("submitted");
    expect((await trpcWithdraw(APP_ORIGIN)).status).toBe(200);
    expect(await status(loanId, token)).toBe("withdrawn");
    const read = await fetch(`${server.url}/api/profile`, {
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS", () => {
  it("answers a listed origin with itself and credentials", async () => {
    const answer = await fetch(`${server.url}/api/health`, { headers: { origin: APP_ORIGIN } });
    expect(answer.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
    expect(answer.headers.get("access-control-allow-credentials")).toBe("true");
  });

  it("refuses to start with CORS_ORIGINS=* while cookie sessions are on, naming the variable", async () => {
    expect(() => loadConfig({ CORS_ORIGINS: "*" })).toThrow(ConfigError);
    expect(() => loadConfig({ CORS_ORIGINS: "*" })).toThrow(
      /CORS_ORIGINS: "\*" cannot be combined with cookie sessions/,
    );
    const start = Bun.spawn([process.execPath, resolve(import.meta.dir, "../../../server/main.ts")], {
      env: { ...process.env, CORS_ORIGINS: "*", DATABASE_URL: "", DATA_DIR: "/nonexistent/never-created" },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await start.exited).toBe(1);
    expect(await new Response(start.stderr).text()).toContain("CORS_ORIGINS");
  });

  it("refuses a CORS origin written with a path or a trailing slash", () => {
    expect(() => loadConfig({ CORS_ORIGINS: "https://app.example.test/" })).toThrow(/is not an origin/);
  });

  describe("with CORS_ORIGINS=* and cookie sessions off", () => {
    let open: TestServer;
    beforeAll(async () => {
      open = await startTestServer(await testDeps({ CORS_ORIGINS: "*", SESSION_COOKIE_ENABLED: "false" }));
    });
    afterAll(() => open.stop());

    it("answers any origin with * and never with credentials, sets no cookie and reads none", async () => {
      const preflight = await fetch(`${open.url}/api/profile`, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
      });
      expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
      expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
      const email = uniqueEmail("bearer");
      const registered = await fetch(`${open.url}/api/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://evil.example" },
        body: JSON.stringify({ email, password: TEST_PASSWORD, name: "Bearer Only" }),
      });
      expect(registered.headers.get("set-cookie")).toBeNull();
      expect(registered.headers.get("access-control-allow-credentials")).toBeNull();
      const { token } = (await registered.json()) as { token: string };
      const cookie = `${deps.config.SESSION_COOKIE_NAME}=${token}`;
      expect((await fetch(`${open.url}/api/profile`, { headers: { cookie } })).status).toBe(401);
      expect(
        (await fetch(`${open.url}/api/profile`, { headers: { authorization: `Bearer ${token}` } })).status,
      ).toBe(200);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { connectDatabase, type DatabaseConnection } from "../../db/client";
import type { AppDeps } from "../../server/context";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { TEST_METRICS_TOKEN } from "../helpers/keys";
import { makeStaff } from "../helpers/loans";
import { capturingLogger } from "../helpers/logs";
import { freePort } from "../helpers/processes";
import { restClient } from "../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

/** /metrics in Prometheus's text format behind METRICS_TOKEN, request ids on every log line, slow requests. */
let deps: AppDeps;
let server: TestServer;

beforeAll(async () => {
  deps = await testDeps({ RATE_LIMIT_SCORE: "1/86400" });
  server = await startTestServer(deps);
});
afterAll(() => server.stop());

const scrape = (token?: string) =>
  fetch(`${server.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** The value of one series in an exposition, or null. */
function series(text: string, name: string, labels: Record<string, string>): number | null {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split("\n")
    .find((row) => row.startsWith(`${name}{`) && wanted.every((label) => row.includes(label)));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : null;
}

describe("GET /metrics", () => {
  it("answers only the metrics token: 401 without it or with another", async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape("not-the-token-not-the-token-not-the-token")).status).toBe(401);
    const session = await restClient(server.url)("POST", "/auth/register", {
      body: { email: uniqueEmail("metrics"), password: TEST_PASSWORD, name: "Metrics" },
    });
    expect((await scrape(session.body.token)).status).toBe(401);
  });

  it("counts requests by route template and status, with a latency histogram", async () => {
    const rest = restClient(server.url);
    for (let index = 0; index < 3; index += 1) await rest("GET", `/loans/${crypto.randomUUID()}`);
    await rest("GET", `/no-such-route/${crypto.randomUUID()}`);
    const answer = await scrape(TEST_METRICS_TOKEN);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toContain("text/plain");
    const text = await answer.text();
    const byTemplate = { method: "GET", route: "/api/loans/{id}", status: "401" };
    expect(series(text, "blockscore_http_requests_total", byTemplate)).toBe(3);
    expect(series(text, "blockscore_http_request_duration_seconds_count", byTemplate)).toBe(3);
    expect(
      series(text, "blockscore_http_requests_total", { route: "(unmatched)", status: "404" }),
    ).toBeGreaterThan(0);
    expect(text).not.toContain("no-such-route");
    expect(text).toContain("blockscore_http_requests_in_flight");
  });

  it("counts rate-limit refusals by budget", async () => {
    const rest = restClient(server.url);
    const { body } = await rest("POST", "/auth/register", {
      body: { email: uniqueEmail("limited"), password: TEST_PASSWORD, name: "Limited" },
    });
    await rest("PATCH", "/profile", {
      token: body.token,
      body: { dateOfBirth: "1980-03-15", annualIncome: "72000.00", monthlyDebtPayments: "1500.00" },
    });
    await rest("POST", "/credit/calculate-score", { token: body.token });
    expect((await rest("POST", "/credit/calculate-score", { token: body.token })).status).toBe(429);
    const text = await (await scrape(TEST_METRICS_TOKEN)).text();
    expect(series(text, "blockscore_rate_limit_refusals_total", { limiter: "score" })).toBe(1);
  });

  it("does not exist on the public port without a token configured", async () => {
    const open = await startTestServer(await testDeps({ METRICS_TOKEN: "" }));
    try {
      expect((await fetch(`${open.url}/metrics`)).status).toBe(404);
    } finally {
      await open.stop();
    }
  });
});

describe("logs", () => {
  let unreachable: DatabaseConnection;
  let closed: DatabaseConnection;
  beforeAll(async () => {
    unreachable = await connectDatabase({
      url: `postgres://postgres@127.0.0.1:${await freePort()}/gone`,
      poolMax: 1,
    });
    // A database handle that fails every query with an error that is not a lost connection: a bug, so a 500.
    closed = await connectDatabase({ memory: true });
    await closed.close();
  });
  afterAll(() => unreachable.close());

  it("answers a database it cannot reach with 503 DATABASE_UNAVAILABLE and Retry-After, logging no error", async () => {
    const { logger, records } = capturingLogger();
    const down = await startTestServer({ ...deps, logger, db: unreachable.db });
    try {
      const answer = await fetch(`${down.url}/api/profile`, {
        headers: { authorization: "Bearer someid.somesecret", "X-Request-Id": "trace-5b1c" },
      });
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("5");
      expect(await answer.json()).toMatchObject({ code: "DATABASE_UNAVAILABLE" });
      expect(records().filter((record) => Number(record.level) >= 50)).toEqual([]);
    } finally {
      await down.stop();
    }
  });

  it("puts the request id on the request's line and on the error it logs", async () => {
    const { logger, records } = capturingLogger();
    const broken = await startTestServer({ ...deps, logger, db: closed.db });
    try {
      const answer = await fetch(`${broken.url}/api/profile`, {
        headers: { authorization: "Bearer someid.somesecret", "X-Request-Id": "trace-7f3a" },
      });
      expect(answer.status).toBe(500);
      expect(answer.headers.get("x-request-id")).toBe("trace-7f3a");
      const ofRequest = records().filter((record) => record.requestId === "trace-7f3a");
      expect(ofRequest.map((record) => record.msg)).toEqual(
        expect.arrayContaining(["procedure failed", "request"]),
      );
      expect(records().filter((record) => record.level === 50 && record.requestId === undefined)).toEqual([]);
    } finally {
      await broken.stop();
    }
  });

  it("puts the request id on what a procedure logs (an admin's sanctions reload)", async () => {
    const { logger, records } = capturingLogger();
    const logged = await startTestServer({ ...deps, logger });
    try {
      const admin = await makeStaff(deps, "admin");
      const answer = await restClient(logged.url)("POST", "/admin/sanctions/reload", {
        token: admin.token,
        headers: { "X-Request-Id": "reload-42" },
      });
      expect(answer.status).toBe(200);
      expect(records().find((record) => record.msg === "sanctions list loaded")).toMatchObject({
        requestId: "reload-42",
      });
    } finally {
      await logged.stop();
    }
  });

  it("logs a request slower than SLOW_REQUEST_MS at warn with its route and duration", async () => {
    const { logger, records } = capturingLogger();
    const slow = await startTestServer({
      ...deps,
      logger,
      config: { ...deps.config, SLOW_REQUEST_MS: 1 },
    });
    try {
      // Registration hashes a password: well over a millisecond.
      await restClient(slow.url)("POST", "/auth/register", {
        body: { email: uniqueEmail("slow"), password: TEST_PASSWORD, name: "Slow" },
        headers: { "X-Request-Id": "slow-1" },
      });
      const warning = records().find(
        (record) => record.msg === "slow request" && record.requestId === "slow-1",
      );
      expect(warning).toMatchObject({ level: 40, method: "POST", route: "/api/auth/register", status: 200 });
      expect(warning?.ms).toBeGreaterThanOrEqual(1);
    } finally {
      await slow.stop();
    }
  });
});

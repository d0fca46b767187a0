import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import { users } from "../../../db/schema";
import type { AppDeps } from "../../../server/context";
import { startTestServer, type TestServer, testDeps } from "../../helpers/app";
import { TEST_METRICS_TOKEN } from "../../helpers/keys";
import { restClient } from "../../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../../helpers/users";

let deps: AppDeps;
let server: TestServer;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  deps = await testDeps();
  server = await startTestServer(deps);
  rest = restClient(server.url);
});
afterAll(() => server.stop());

async function signUp(role: "user" | "admin" = "user") {
  const { body } = await rest("POST", "/auth/register", {
    body: { email: uniqueEmail("health"), password: TEST_PASSWORD, name: "Health" },
  });
  if (role === "admin") await deps.db.update(users).set({ role }).where(eq(users.id, body.user.id));
  return body.token as string;
}

const CHECKS = ["database", "redis", "blockchain", "model"];

function expectStatusesOnly(body: Record<string, unknown>) {
  expect(Object.keys(body).sort()).toEqual(["checks", "sanctions", "status"]);
  expect(Object.keys(body.checks as object).sort()).toEqual([...CHECKS].sort());
  for (const check of [...Object.values(body.checks as object), body.sanctions]) {
    expect(Object.keys(check as object)).toEqual(["status"]);
  }
}

describe("the public health answer", () => {
  it("shows an anonymous caller, a plain user and a wrong token the statuses only", async () => {
    for (const token of [undefined, await signUp(), "not-the-metrics-token-0123456789abcdef"]) {
      const answer = await rest("GET", "/health", { token });
      expect(answer.status).toBe(200);
      expectStatusesOnly(answer.body);
      const text = JSON.stringify(answer.body);
      for (const leak of ["driver", "pglite", "version", "entries", "MFA_", "CHAIN_", "signer"]) {
        expect(text).not.toContain(leak);
      }
    }
  });

  it("gives the details to an admin session and to the metrics token", async () => {
    for (const token of [await signUp("admin"), TEST_METRICS_TOKEN]) {
      const { body } = await rest("GET", "/health", { token });
      expect(body.checks.database).toMatchObject({ status: "ok", info: { driver: expect.any(String) } });
      expect(body.checks.model.info.version).toBeString();
      expect(body.sanctions.info.entries).toBeGreaterThan(0);
    }
  });
});

describe("a load balancer's health probe", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer(await testDeps({ RATE_LIMIT_GENERAL: "4/60" }));
  });
  afterAll(() => limited.stop());

  it("spends no rate limit without a credential, with the usual headers and metrics; a token still pays", async () => {
    const probe = restClient(limited.url);
    for (let i = 0; i < 6; i++) {
      const answer = await probe("GET", "/health", { headers: { "x-request-id": `probe-${i}` } });
      expect(answer.status).toBe(200);
      expectStatusesOnly(answer.body);
      expect(answer.headers.get("content-type")).toBe("application/json");
      expect(answer.headers.get("x-request-id")).toBe(`probe-${i}`);
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
    const withToken = () => probe("GET", "/health", { token: "t".repeat(40) });
    for (let i = 0; i < 3; i++) expect((await withToken()).status).toBe(200);
    // The fourth and last request of the budget; every probe was counted.
    const metrics = await fetch(`${limited.url}/metrics`, {
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    expect(await metrics.text()).toMatch(
      /blockscore_http_requests_total\{method="GET",route="\/api\/health",status="200"\} 9\b/,
    );
    expect((await withToken()).status).toBe(429);
    expect((await probe("GET", "/health")).status).toBe(200);
  });
});

describe("the OpenAPI document", () => {
  it("declares security on every operation: an empty list on the public ones", async () => {
    const { body } = await rest("GET", "/openapi.json");
    const operations = Object.entries(
      body.paths as Record<string, Record<string, { security?: unknown[] }>>,
    ).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBeGreaterThan(40);
    for (const { operation } of operations) expect(operation.security).toBeArray();
    for (const [path, method] of [
      ["/health", "get"],
      ["/auth/register", "post"],
      ["/auth/login", "post"],
      ["/credit/model", "get"],
      ["/chain/score/{address}", "get"],
    ]) {
      expect(body.paths[path as string][method as string].security).toEqual([]);
    }
    expect(body.paths["/profile"].get.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
    expect(body.paths["/profile"].get.responses["429"]).toEqual({
      $ref: "#/components/responses/TooManyRequests",
    });
  });

  it("lints with Redocly's recommended rules: 0 errors and 0 warnings", () => {
    const lint = Bun.spawnSync([process.execPath, "scripts/openapi-lint.ts"], {
      cwd: `${import.meta.dir}/../../..`,
    });
    expect(lint.stdout.toString()).toContain("0 errors, 0 warnings");
    expect(lint.exitCode).toBe(0);
  }, 60_000);
});

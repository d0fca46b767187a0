import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { restClient } from "../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

const redisUrl = process.env.REDIS_URL;

describe.skipIf(!redisUrl)("rate limits shared over Redis (runs when REDIS_URL is set)", () => {
  const servers: TestServer[] = [];

  beforeAll(async () => {
    const prefix = `shared-${crypto.randomUUID()}`;
    for (let instance = 0; instance < 2; instance += 1) {
      servers.push(
        await startTestServer(
          await testDeps({ RATE_LIMIT_REGISTER_IP: "4/3600" }, { rateLimitPrefix: prefix }),
        ),
      );
    }
  });
  afterAll(() => Promise.all(servers.map((server) => server.stop())));

  it("spends one registration budget across two instances", async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const rest = restClient((servers[attempt % 2] as TestServer).url);
      const response = await rest("POST", "/auth/register", {
        body: { email: uniqueEmail("shared"), password: TEST_PASSWORD, name: "Shared" },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it("locks an account on one instance after failures spread over both", async () => {
    const email = uniqueEmail("spread");
    await restClient((servers[0] as TestServer).url)("POST", "/auth/register", {
      body: { email, password: TEST_PASSWORD, name: "S" },
    });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const rest = restClient((servers[attempt % 2] as TestServer).url);
      expect(
        (await rest("POST", "/auth/login", { body: { email, password: "wrong-password-00" } })).status,
      ).toBe(401);
    }
    const locked = await restClient((servers[1] as TestServer).url)("POST", "/auth/login", {
      body: { email, password: TEST_PASSWORD },
    });
    expect(locked.status).toBe(429);
  });
});

describe("when Redis is unreachable", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(
      await testDeps({ REDIS_URL: "redis://127.0.0.1:1", RATE_LIMIT_REGISTER_IP: "2/3600" }),
    );
  });
  afterAll(() => server.stop());

  it("keeps answering with limits held in memory and reports degraded health", async () => {
    const rest = restClient(server.url);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await rest("POST", "/auth/register", {
        body: { email: uniqueEmail("down"), password: TEST_PASSWORD, name: "D" },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    const health = await rest("GET", "/health");
    expect(health.body.status).toBe("degraded");
    expect(health.body.checks.redis.status).toBe("error");
  });
});

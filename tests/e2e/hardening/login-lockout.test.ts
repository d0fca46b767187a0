import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestServer, type TestServer, testDeps } from "../../helpers/app";
import { type RestResponse, restClient } from "../../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../../helpers/users";

// The test server believes X-Forwarded-For from loopback, so each request can come from an address of its own.
const PROXY = { TRUST_PROXY: "127.0.0.1,::ffff:127.0.0.1" };

let server: TestServer;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  server = await startTestServer(await testDeps({ ...PROXY, RATE_LIMIT_REGISTER_IP: "1000/3600" }));
  rest = restClient(server.url);
});
afterAll(() => server.stop());

async function signUp(): Promise<string> {
  const email = uniqueEmail("lock");
  const { status } = await rest("POST", "/auth/register", {
    body: { email, password: TEST_PASSWORD, name: "Lock" },
  });
  expect(status).toBe(200);
  return email;
}

function login(email: string, password: string, from = "198.51.100.20", api = rest): Promise<RestResponse> {
  return api("POST", "/auth/login", { body: { email, password }, headers: { "x-forwarded-for": from } });
}

describe("lockout under concurrency", () => {
  it("refuses the right password sent among 20 concurrent wrong ones: at most 5 guesses are judged", async () => {
    const email = await signUp();
    const wrong = Array.from({ length: 20 }, (_, index) => login(email, `wrong-password-${index}00`));
    const right = login(email, TEST_PASSWORD);
    const answers = await Promise.all(wrong);
    const rightAnswer = await right;
    const judged = answers.filter((answer) => answer.status === 401);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(judged.length + refused.length).toBe(20);
    expect(judged.length).toBeLessThanOrEqual(5);
    expect(rightAnswer.status).toBe(429);
    expect(Number(rightAnswer.headers.get("retry-after"))).toBeGreaterThan(0);
    // And once the threshold is crossed, the right password on its own is refused too.
    expect((await login(email, TEST_PASSWORD)).status).toBe(429);
  });
});

describe("nobody can lock the owner out", () => {
  it("locks the account for the address that failed, while the owner logs in from another", async () => {
    const email = await signUp();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await login(email, "wrong-password-00", "198.51.100.66")).status).toBe(401);
    }
    expect((await login(email, TEST_PASSWORD, "198.51.100.66")).status).toBe(429);
    expect((await login(email, TEST_PASSWORD, "203.0.113.20")).status).toBe(200);
  });
});

describe("an attack spread over many addresses", () => {
  let spread: TestServer;
  let api: ReturnType<typeof restClient>;
  beforeAll(async () => {
    spread = await startTestServer(await testDeps({ ...PROXY, RATE_LIMIT_LOGIN_ACCOUNT: "6/86400" }));
    api = restClient(spread.url);
  });
  afterAll(() => spread.stop());

  it("one address hammering the account spends only what its lock lets through, not the account's budget", async () => {
    const email = uniqueEmail("hammer");
    await api("POST", "/auth/register", { body: { email, password: TEST_PASSWORD, name: "Hammer" } });
    const answers: number[] = [];
    for (let attempt = 0; attempt < 40; attempt += 1) {
      answers.push((await login(email, "wrong-password-00", "198.51.100.67", api)).status);
    }
    expect(answers.filter((status) => status === 401)).toHaveLength(5);
    // 5 failures charged against a budget of 6: the owner, from an address that has not failed, gets in.
    expect((await login(email, TEST_PASSWORD, "203.0.113.21", api)).status).toBe(200);
  });

  it("is slowed by the account's own budget, and the owner's address with a live session still gets in", async () => {
    const email = uniqueEmail("spread");
    const registered = await api("POST", "/auth/register", {
      body: { email, password: TEST_PASSWORD, name: "Spread" },
      headers: { "x-forwarded-for": "203.0.113.30" },
    });
    expect(registered.status).toBe(200);
    for (let address = 1; address <= 3; address += 1) {
      for (let attempt = 0; attempt < 2; attempt += 1) {
        expect((await login(email, "wrong-password-00", `192.0.2.${address}`, api)).status).toBe(401);
      }
    }
    const next = await login(email, "wrong-password-00", "192.0.2.99", api);
    expect(next.status).toBe(429);
    expect(next.headers.get("ratelimit-limit")).toBe("6");
    expect((await login(email, TEST_PASSWORD, "192.0.2.100", api)).status).toBe(429);
    expect((await login(email, TEST_PASSWORD, "203.0.113.30", api)).status).toBe(200);
  });
});

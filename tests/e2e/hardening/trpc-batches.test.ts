import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createClient } from "../../../client";
import type { AppDeps } from "../../../server/context";
import { startTestServer, type TestServer, testDeps } from "../../helpers/app";
import { FULL_PROFILE } from "../../helpers/credit";
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

/**
 * One tRPC batch request as any HTTP client can send it: `/trpc/a,b,c?batch=1` with superjson inputs, mutations
 * as a POST body, queries in the `input` parameter of a GET.
 */
async function batch(
  url: string,
  calls: { path: string; input: unknown }[],
  token?: string,
  method = "POST",
) {
  const inputs = JSON.stringify(
    Object.fromEntries(calls.map((call, index) => [String(index), { json: call.input }])),
  );
  const query = method === "GET" ? `&input=${encodeURIComponent(inputs)}` : "";
  const response = await fetch(`${url}/trpc/${calls.map((call) => call.path).join(",")}?batch=1${query}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: method === "GET" ? undefined : inputs,
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function signUp() {
  const email = uniqueEmail("batch");
  const { body } = await rest("POST", "/auth/register", {
    body: { email, password: TEST_PASSWORD, name: "Batch" },
  });
  return { email, token: body.token as string };
}

describe("tRPC batches", () => {
  it("refuses 400 credit.simulate calls in one request, naming the limit", async () => {
    const { token } = await signUp();
    const calls = Array.from({ length: 400 }, () => ({ path: "credit.simulate", input: FULL_PROFILE }));
    const answer = await batch(server.url, calls, token);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: "BATCH_TOO_LARGE", details: { limit: 10, calls: 400 } });
    expect(answer.body.message).toContain("TRPC_MAX_BATCH");
  });

  it("serves a batch of exactly TRPC_MAX_BATCH calls", async () => {
    const { token } = await signUp();
    const calls = Array.from({ length: 10 }, () => ({ path: "credit.simulate", input: FULL_PROFILE }));
    const answer = await batch(server.url, calls, token);
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveLength(10);
  });

  it("refuses a batch of several logins, so one request cannot carry hundreds of password guesses", async () => {
    const { email } = await signUp();
    const guesses = Array.from({ length: 7 }, (_, index) => ({
      path: "auth.login",
      input: { email, password: `wrong-password-${index}0` },
    }));
    const answer = await batch(server.url, [
      ...guesses,
      { path: "auth.login", input: { email, password: TEST_PASSWORD } },
    ]);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: "BATCH_AUTH_CALLS", details: { limit: 1, calls: 8 } });
    // Nothing was judged: the account is not locked and the right password still works on its own.
    expect((await rest("POST", "/auth/login", { body: { email, password: TEST_PASSWORD } })).status).toBe(
      200,
    );
  });

  it("refuses two auth.* calls in one batch, and accepts one of them with other calls", async () => {
    const { token } = await signUp();
    const mixed = await batch(
      server.url,
      [
        { path: "auth.sessions", input: undefined },
        { path: "auth.logoutAll", input: undefined },
      ],
      token,
    );
    expect(mixed).toMatchObject({ status: 400, body: { code: "BATCH_AUTH_CALLS" } });
    const withMfa = await batch(
      server.url,
      [
        { path: "auth.logout", input: undefined },
        { path: "mfa.verify", input: { code: "123456" } },
      ],
      token,
    );
    expect(withMfa).toMatchObject({ status: 400, body: { code: "BATCH_AUTH_CALLS" } });
    const fine = await batch(
      server.url,
      [
        { path: "auth.sessions", input: undefined },
        { path: "profile.get", input: undefined },
      ],
      token,
      "GET",
    );
    expect(fine.status).toBe(200);
  });

  it("keeps a batch of one working, as the typed client sends a lone call", async () => {
    const { email } = await signUp();
    const answer = await batch(server.url, [
      { path: "auth.login", input: { email, password: TEST_PASSWORD } },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body[0].result.data.json.token).toBeString();
    const client = createClient({ url: server.url });
    const [first, second] = await Promise.all([
      client.auth.login.mutate({ email, password: TEST_PASSWORD }),
      client.auth.login.mutate({ email, password: TEST_PASSWORD }),
    ]);
    expect(first.token).not.toBe(second.token);
  });
});

describe("every call in a batch is charged as a request", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer(await testDeps({ RATE_LIMIT_GENERAL: "12/60" }));
  });
  afterAll(() => limited.stop());

  it("spends ten points for a batch of ten, so the budget of twelve is gone after two more", async () => {
    const email = uniqueEmail("charged");
    const register = await restClient(limited.url)("POST", "/auth/register", {
      body: { email, password: TEST_PASSWORD, name: "Charged" },
    });
    const token = register.body.token as string;
    const ten = Array.from({ length: 10 }, () => ({ path: "credit.simulate", input: FULL_PROFILE }));
    expect((await batch(limited.url, ten, token)).status).toBe(200); // 1 + 10 = 11 spent
    const over = await batch(
      limited.url,
      [
        { path: "credit.simulate", input: FULL_PROFILE },
        { path: "credit.simulate", input: FULL_PROFILE },
      ],
      token,
    ); // 11 + 2 = 13 > 12
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(over.body.code).toBe("RATE_LIMITED");
  });
});

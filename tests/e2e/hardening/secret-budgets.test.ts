import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestServer, type TestServer, testDeps } from "../../helpers/app";
import { type RestResponse, restClient } from "../../helpers/rest";
import { totpCode } from "../../helpers/totp";
import { TEST_PASSWORD, uniqueEmail } from "../../helpers/users";

let server: TestServer;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  // The MFA request limit is lifted so the failure budget (5 per 15 minutes by default) is what answers.
  server = await startTestServer(
    await testDeps({ RATE_LIMIT_MFA: "1000/900", RATE_LIMIT_REGISTER_IP: "1000/3600" }),
  );
  rest = restClient(server.url);
});
afterAll(() => server.stop());

async function signUp() {
  const email = uniqueEmail("secret");
  const { body } = await rest("POST", "/auth/register", {
    body: { email, password: TEST_PASSWORD, name: "Secret" },
  });
  return { email, token: body.token as string };
}

async function enrol(token: string) {
  const setup = await rest("POST", "/auth/mfa/totp/setup", { token });
  const confirm = await rest("POST", "/auth/mfa/totp/confirm", {
    token,
    body: { code: totpCode(setup.body.secret) },
  });
  expect(confirm.status).toBe(200);
  return { secret: setup.body.secret as string, recoveryCodes: confirm.body.recoveryCodes as string[] };
}

function expectBudgetSpent(answer: RestResponse) {
  expect(answer.status).toBe(429);
  expect(answer.body.code).toBe("RATE_LIMITED");
  expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(answer.headers.get("ratelimit-limit")).toBe("5");
}

describe("every check of a secret spends the user's failure budget", () => {
  it("change-password: five wrong current passwords, then 429 with Retry-After, even for the right one", async () => {
    const { token } = await signUp();
    const attempt = (currentPassword: string) =>
      rest("POST", "/auth/change-password", {
        token,
        body: { currentPassword, newPassword: "quartz-orchard-bicycle-19" },
      });
    for (let guess = 0; guess < 5; guess += 1) {
      expect((await attempt(`wrong-password-${guess}00`)).body.code).toBe("WRONG_PASSWORD");
    }
    expectBudgetSpent(await attempt("wrong-password-500"));
    expectBudgetSpent(await attempt(TEST_PASSWORD));
  });

  it("change-password: concurrent guesses are charged before they are judged", async () => {
    const { token } = await signUp();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, guess) =>
        rest("POST", "/auth/change-password", {
          token,
          body: { currentPassword: `wrong-password-${guess}00`, newPassword: "quartz-orchard-bicycle-19" },
        }),
      ),
    );
    expect(answers.filter((answer) => answer.status === 400).length).toBeLessThanOrEqual(5);
    expect(answers.filter((answer) => answer.status === 429).length).toBeGreaterThanOrEqual(7);
  });

  it("a right answer gives its charge back: only wrong ones count", async () => {
    const { token } = await signUp();
    const change = (currentPassword: string, newPassword = "quartz-orchard-bicycle-19") =>
      rest("POST", "/auth/change-password", { token, body: { currentPassword, newPassword } });
    for (let guess = 0; guess < 4; guess += 1) expect((await change("wrong-password-00")).status).toBe(400);
    expect((await change(TEST_PASSWORD)).status).toBe(200);
    // Four failures stand; the fifth is still judged, the sixth is refused.
    expect((await change("wrong-password-00")).status).toBe(400);
    expect((await change("wrong-password-00")).status).toBe(429);
  });

  it("MFA disable by password: five wrong passwords, then 429", async () => {
    const { token } = await signUp();
    await enrol(token);
    for (let guess = 0; guess < 5; guess += 1) {
      const wrong = await rest("POST", "/auth/mfa/disable", {
        token,
        body: { password: `wrong-password-${guess}0` },
      });
      expect(wrong.body.code).toBe("INVALID_PROOF");
    }
    expectBudgetSpent(await rest("POST", "/auth/mfa/disable", { token, body: { password: TEST_PASSWORD } }));
  });

  it("recovery codes at login: five wrong codes, then 429 even for a real one", async () => {
    const { email, token } = await signUp();
    const { recoveryCodes } = await enrol(token);
    const pending = (await rest("POST", "/auth/login", { body: { email, password: TEST_PASSWORD } })).body
      .token;
    for (let guess = 0; guess < 5; guess += 1) {
      const wrong = await rest("POST", "/auth/mfa/verify", {
        token: pending,
        body: { recoveryCode: `AAAA-BBBB-CCCC-DDDD-EEEE-FFF${guess}` },
      });
      expect(wrong.body.code).toBe("INVALID_CODE");
    }
    expectBudgetSpent(
      await rest("POST", "/auth/mfa/verify", { token: pending, body: { recoveryCode: recoveryCodes[0] } }),
    );
  });

  it("authenticator codes at login: five wrong codes, then 429", async () => {
    const { email, token } = await signUp();
    const { secret } = await enrol(token);
    const pending = (await rest("POST", "/auth/login", { body: { email, password: TEST_PASSWORD } })).body
      .token;
    const right = totpCode(secret, Date.now(), 1);
    for (let guess = 0; guess < 5; guess += 1) {
      const code = String((Number(right) + guess + 1) % 1_000_000).padStart(6, "0");
      expect((await rest("POST", "/auth/mfa/verify", { token: pending, body: { code } })).status).toBe(400);
    }
    expectBudgetSpent(await rest("POST", "/auth/mfa/verify", { token: pending, body: { code: right } }));
  });
});

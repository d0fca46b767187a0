import { describe, expect, it } from "bun:test";
import { loadConfig } from "../../../server/config";
import { RateLimitedError } from "../../../server/errors";
import { createLoginGuard } from "../../../server/security/login-guard";
import { createRateLimiters } from "../../../server/security/rate-limit";

const config = loadConfig({
  NODE_ENV: "test",
  LOGIN_LOCKOUT_BASE_SECONDS: "60",
  LOGIN_LOCKOUT_MAX_SECONDS: "200",
});

function guardWithLimiters() {
  const limiters = createRateLimiters(config, null, `unit-${crypto.randomUUID()}`);
  return { guard: createLoginGuard(limiters, config), limiters };
}

async function lockoutSeconds(guard: ReturnType<typeof createLoginGuard>, email: string): Promise<number> {
  const error = await guard.assertAllowed("198.51.100.1", email).catch((caught) => caught);
  expect(error).toBeInstanceOf(RateLimitedError);
  return (error as RateLimitedError).retryAfterSeconds;
}

describe("login guard", () => {
  it("allows four failures and locks on the fifth", async () => {
    const { guard } = guardWithLimiters();
    for (let attempt = 0; attempt < 4; attempt += 1)
      await guard.recordFailure("198.51.100.1", "a@example.test");
    await guard.assertAllowed("198.51.100.1", "a@example.test");
    await guard.recordFailure("198.51.100.1", "a@example.test");
    expect(await lockoutSeconds(guard, "a@example.test")).toBeGreaterThan(55);
  });

  it("doubles each further lockout, up to the maximum", async () => {
    const { guard, limiters } = guardWithLimiters();
    const windows: number[] = [];
    for (let lockout = 0; lockout < 3; lockout += 1) {
      for (let attempt = 0; attempt < 5; attempt += 1)
        await guard.recordFailure("198.51.100.1", "b@example.test");
      windows.push(await lockoutSeconds(guard, "b@example.test"));
      await limiters.lockedAccounts.store.delete("b@example.test");
    }
    expect(windows[0]).toBeLessThanOrEqual(60);
    expect(windows[1]).toBeGreaterThan(115);
    expect(windows[2]).toBeLessThanOrEqual(200);
  });

  it("forgets earlier failures after a success", async () => {
    const { guard } = guardWithLimiters();
    for (let attempt = 0; attempt < 4; attempt += 1)
      await guard.recordFailure("198.51.100.1", "c@example.test");
    await guard.recordSuccess("c@example.test");
    for (let attempt = 0; attempt < 4; attempt += 1)
      await guard.recordFailure("198.51.100.1", "c@example.test");
    await guard.assertAllowed("198.51.100.1", "c@example.test");
  });

  it("limits an IP across accounts with its own larger budget", async () => {
    const small = loadConfig({ NODE_ENV: "test", RATE_LIMIT_LOGIN_IP: "3/900" });
    const limiters = createRateLimiters(small, null, `unit-${crypto.randomUUID()}`);
    const guard = createLoginGuard(limiters, small);
    for (let attempt = 0; attempt < 3; attempt += 1)
      await guard.recordFailure("198.51.100.9", `user${attempt}@example.test`);
    await expect(guard.assertAllowed("198.51.100.9", "fresh@example.test")).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    await guard.assertAllowed("198.51.100.10", "fresh@example.test");
  });
});

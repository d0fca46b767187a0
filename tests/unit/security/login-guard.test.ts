import { describe, expect, it } from "bun:test";
import { loadConfig } from "../../../server/config";
import { RateLimitedError } from "../../../server/errors";
import { createLoginGuard, type LoginGuard } from "../../../server/security/login-guard";
import { addressKey, createRateLimiters } from "../../../server/security/rate-limit";

const env = { NODE_ENV: "test", LOGIN_LOCKOUT_BASE_SECONDS: "60", LOGIN_LOCKOUT_MAX_SECONDS: "200" };

function guardFor(overrides: Record<string, string> = {}) {
  const settings = loadConfig({ ...env, ...overrides });
  const limiters = createRateLimiters(settings, null, `unit-${crypto.randomUUID()}`);
  return { guard: createLoginGuard(limiters, settings), limiters };
}

const untrusted = async () => false;

async function fail(guard: LoginGuard, ip: string, email: string) {
  await (await guard.begin({ ip, email, trustedAddress: untrusted })).failed();
}

async function refusal(guard: LoginGuard, ip: string, email: string): Promise<RateLimitedError> {
  const error = await guard.begin({ ip, email, trustedAddress: untrusted }).catch((caught) => caught);
  expect(error).toBeInstanceOf(RateLimitedError);
  return error as RateLimitedError;
}

describe("login guard", () => {
  it("allows five failures from an address and locks the account for that address on the fifth", async () => {
    const { guard } = guardFor();
    for (let attempt = 0; attempt < 5; attempt += 1) await fail(guard, "198.51.100.1", "a@example.test");
    expect((await refusal(guard, "198.51.100.1", "a@example.test")).retryAfterSeconds).toBeGreaterThan(55);
  });

  it("does not lock the account for another address", async () => {
    const { guard } = guardFor();
    for (let attempt = 0; attempt < 5; attempt += 1) await fail(guard, "198.51.100.1", "owner@example.test");
    await refusal(guard, "198.51.100.1", "owner@example.test");
    const owner = await guard.begin({
      ip: "203.0.113.7",
      email: "owner@example.test",
      trustedAddress: untrusted,
    });
    await owner.succeeded();
  });

  it("charges concurrent attempts before any is judged: at most the threshold get through", async () => {
    const { guard } = guardFor();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        guard.begin({ ip: "198.51.100.2", email: "race@example.test", trustedAddress: untrusted }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(5);
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") expect(outcome.reason).toBeInstanceOf(RateLimitedError);
    }
  });

  it("doubles each further lockout of the same account and address, up to the maximum", async () => {
    const { guard, limiters } = guardFor();
    const windows: number[] = [];
    const key = `b@example.test|${addressKey("198.51.100.1")}`;
    for (let lockout = 0; lockout < 3; lockout += 1) {
      for (let attempt = 0; attempt < 5; attempt += 1) await fail(guard, "198.51.100.1", "b@example.test");
      windows.push((await refusal(guard, "198.51.100.1", "b@example.test")).retryAfterSeconds);
      await limiters.loginFailures.store.delete(key);
    }
    expect(windows[0]).toBeLessThanOrEqual(60);
    expect(windows[1]).toBeGreaterThan(115);
    expect(windows[2]).toBeLessThanOrEqual(200);
  });

  it("forgets earlier failures after a success", async () => {
    const { guard } = guardFor();
    for (let attempt = 0; attempt < 4; attempt += 1) await fail(guard, "198.51.100.1", "c@example.test");
    await (
      await guard.begin({ ip: "198.51.100.1", email: "c@example.test", trustedAddress: untrusted })
    ).succeeded();
    for (let attempt = 0; attempt < 4; attempt += 1) await fail(guard, "198.51.100.1", "c@example.test");
    await guard.begin({ ip: "198.51.100.1", email: "c@example.test", trustedAddress: untrusted });
  });

  it("limits an address across accounts with its own larger budget", async () => {
    const { guard } = guardFor({ RATE_LIMIT_LOGIN_IP: "3/900" });
    for (let attempt = 0; attempt < 3; attempt += 1)
      await fail(guard, "198.51.100.9", `user${attempt}@example.test`);
    await refusal(guard, "198.51.100.9", "fresh@example.test");
    await guard.begin({ ip: "198.51.100.10", email: "fresh@example.test", trustedAddress: untrusted });
  });

  it("slows an attack spread over many addresses with the account's budget, but lets the owner's address in", async () => {
    const { guard } = guardFor({ RATE_LIMIT_LOGIN_ACCOUNT: "6/86400" });
    for (let address = 1; address <= 3; address += 1) {
      for (let attempt = 0; attempt < 2; attempt += 1)
        await fail(guard, `192.0.2.${address}`, "d@example.test");
    }
    await refusal(guard, "192.0.2.99", "d@example.test");
    const owner = await guard.begin({
      ip: "203.0.113.5",
      email: "d@example.test",
      trustedAddress: async () => true,
    });
    await owner.succeeded();
  });

  it("counts an IPv6 client by its /64, so rotating addresses inside it does not reset the lock", async () => {
    const { guard } = guardFor();
    for (let attempt = 0; attempt < 5; attempt += 1)
      await fail(guard, `2001:db8:1:2::${attempt + 1}`, "e@example.test");
    await refusal(guard, "2001:db8:1:2:ffff::9", "e@example.test");
    expect(addressKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(addressKey("::ffff:198.51.100.4")).toBe("198.51.100.4");
    expect(addressKey("198.51.100.4")).toBe("198.51.100.4");
  });
});

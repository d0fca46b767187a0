import type { Config } from "../config";
import { assertWithinLimit, consume, type RateLimiters } from "./rate-limit";

/**
 * Brute-force protection for password logins. Accounts are keyed by the normalised email, so an address with no
 * account locks exactly like one with an account and the answers cannot tell them apart.
 */
export type LoginGuard = {
  /** Throws RateLimitedError while the IP's or the account's budget is spent. */
  assertAllowed(ip: string | null, email: string): Promise<void>;
  recordFailure(ip: string | null, email: string): Promise<void>;
  recordSuccess(email: string): Promise<void>;
};

export function createLoginGuard(
  limiters: RateLimiters,
  config: Pick<
    Config,
    "LOGIN_LOCKOUT_THRESHOLD" | "LOGIN_LOCKOUT_BASE_SECONDS" | "LOGIN_LOCKOUT_MAX_SECONDS"
  >,
): LoginGuard {
  const ipKey = (ip: string | null) => ip ?? "unknown";
  return {
    async assertAllowed(ip, email) {
      await assertWithinLimit(limiters.loginIp, ipKey(ip));
      await assertWithinLimit(limiters.lockedAccounts, email);
    },

    async recordFailure(ip, email) {
      await consume(limiters.loginIp, ipKey(ip)).catch(() => {});
      const failures = await limiters.loginFailures.store.penalty(email, 1);
      if (failures.consumedPoints < config.LOGIN_LOCKOUT_THRESHOLD) return;
      await limiters.loginFailures.store.delete(email);
      const lockouts = await limiters.lockouts.store.penalty(email, 1);
      const seconds = Math.min(
        config.LOGIN_LOCKOUT_BASE_SECONDS * 2 ** (lockouts.consumedPoints - 1),
        config.LOGIN_LOCKOUT_MAX_SECONDS,
      );
      await limiters.lockedAccounts.store.block(email, seconds);
    },

    async recordSuccess(email) {
      await limiters.loginFailures.store.delete(email);
    },
  };
}

import type { Config } from "../config";
import { addressKey, charge, type RateLimiters, refusal } from "./rate-limit";

/** One password check, charged to every budget before it ran; tell the guard how it ended. */
export type LoginAttempt = {
  /** Gives the charges back and forgets this address's failures for the account. */
  succeeded(): Promise<void>;
  /** Keeps the charges; the attempt that reaches the threshold locks the account for this address. */
  failed(): Promise<void>;
};

export type LoginGuard = {
  /**
   * Charges the attempt, atomically, to the address's budget, the account-and-address lock and the account's
   * daily budget, and throws RateLimitedError (429) when one was already spent. `trustedAddress` is asked only
   * when the account's daily budget is spent: an address holding a live session of the account still gets in.
   */
  begin(params: {
    ip: string | null;
    email: string;
    trustedAddress(): Promise<boolean>;
  }): Promise<LoginAttempt>;
};

type GuardConfig = Pick<
  Config,
  "LOGIN_LOCKOUT_THRESHOLD" | "LOGIN_LOCKOUT_BASE_SECONDS" | "LOGIN_LOCKOUT_MAX_SECONDS"
>;

/**
 * Brute-force protection for password logins, with three budgets:
 * - per account and address, `LOGIN_LOCKOUT_THRESHOLD` consecutive failures lock that pair, for
 *   `LOGIN_LOCKOUT_BASE_SECONDS` doubling per further lockout; another address (the owner's) is not locked;
 * - per address, `RATE_LIMIT_LOGIN_IP` failures across accounts;
 * - per account, `RATE_LIMIT_LOGIN_ACCOUNT` failures across addresses, which slows an attack spread over many.
 * Accounts are keyed by the normalised email, so an unknown address locks exactly like a known one.
 */
export function createLoginGuard(limiters: RateLimiters, config: GuardConfig): LoginGuard {
  const { loginIp, loginFailures, lockouts, loginAccount } = limiters;

  const lockFor = async (pairKey: string) => {
    const previous = await lockouts.store.penalty(pairKey, 1);
    const seconds = Math.min(
      config.LOGIN_LOCKOUT_BASE_SECONDS * 2 ** (previous.consumedPoints - 1),
      config.LOGIN_LOCKOUT_MAX_SECONDS,
    );
    // The failure counter itself becomes the lock: spent for `seconds`, then gone, so the next window starts at 0.
    await loginFailures.store.block(pairKey, seconds);
  };

  return {
    async begin({ ip, email, trustedAddress }) {
      const address = addressKey(ip);
      const pairKey = `${email}|${address}`;

      const pair = await charge(loginFailures, pairKey);
      if (pair.over) throw refusal(loginFailures, pair.result);

      const perAddress = await charge(loginIp, address);
      if (perAddress.over) {
        await loginFailures.store.reward(pairKey, 1);
        throw refusal(loginIp, perAddress.result);
      }

      const perAccount = await charge(loginAccount, email);
      if (perAccount.over && !(await trustedAddress())) {
        await Promise.all([loginFailures.store.reward(pairKey, 1), loginIp.store.reward(address, 1)]);
        throw refusal(loginAccount, perAccount.result);
      }

      return {
        async succeeded() {
          await Promise.all([
            loginFailures.store.delete(pairKey),
            loginIp.store.reward(address, 1),
            loginAccount.store.reward(email, 1),
          ]);
        },
        async failed() {
          if (pair.result.consumedPoints === config.LOGIN_LOCKOUT_THRESHOLD) await lockFor(pairKey);
        },
      };
    },
  };
}

import { charge, type RateLimiters, refusal } from "./rate-limit";

/** One check of a secret, charged before it ran. */
export type SecretAttempt = {
  /** Gives the charge back: the secret was right, or was never judged. A wrong one keeps it. */
  release(): Promise<void>;
};

/**
 * Every check of a secret a signed-in user presents (the current password to change it or to turn MFA off,
 * an authenticator or sent code, a recovery code) spends the user's budget of failures
 * (`RATE_LIMIT_SECRET_FAILURES`, 5 per 15 minutes by default). The attempt is charged before the check, so
 * concurrent guesses cannot outrun the count; once the budget is spent every check answers 429 with
 * Retry-After until the window ends.
 */
export type SecretGuard = { begin(userId: string): Promise<SecretAttempt> };

export function createSecretGuard(limiters: Pick<RateLimiters, "secretFailures">): SecretGuard {
  const { secretFailures } = limiters;
  return {
    async begin(userId) {
      const spent = await charge(secretFailures, userId);
      if (spent.over) throw refusal(secretFailures, spent.result);
      return {
        async release() {
          await secretFailures.store.reward(userId, 1);
        },
      };
    },
  };
}

import type { AppDeps } from "../../server/context";
import { callerFor } from "./app";
import { isMailbox } from "./mailbox";

let counter = 0;

export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 7)}@example.test`;
}

export const TEST_PASSWORD = "violet-harbour-lantern-42";

/** The verification token the test provider holds for `email` (testDeps installs it). */
export function verificationTokenFor(deps: AppDeps, email: string): string {
  if (!isMailbox(deps.otpSender)) throw new Error("these deps do not send through the test mailbox");
  return deps.otpSender.latest(email, "email-verification");
}

/**
 * Registers a fresh user through the real procedure and returns a caller authenticated as them. The email is
 * verified with the token the sign-up sent, as the user would, unless `verifyEmail` is false.
 */
export async function registerTestUser(
  deps: AppDeps,
  name = "Test User",
  options: { verifyEmail?: boolean } = {},
) {
  const email = uniqueEmail();
  const anonymous = await callerFor(deps);
  const { user, token } = await anonymous.auth.register({ email, password: TEST_PASSWORD, name });
  if (options.verifyEmail !== false) {
    await anonymous.accountRecovery.verifyEmail({ token: verificationTokenFor(deps, email) });
  }
  const caller = await callerFor(deps, { token });
  return { user, token, email, caller };
}

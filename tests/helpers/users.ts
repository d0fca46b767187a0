import type { AppDeps } from "../../server/context";
import { callerFor } from "./app";

let counter = 0;

export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 7)}@example.test`;
}

export const TEST_PASSWORD = "violet-harbour-lantern-42";

/** Registers a fresh user through the real procedure and returns a caller authenticated as them. */
export async function registerTestUser(deps: AppDeps, name = "Test User") {
  const email = uniqueEmail();
  const anonymous = await callerFor(deps);
  const { user, token } = await anonymous.auth.register({ email, password: TEST_PASSWORD, name });
  const caller = await callerFor(deps, { token });
  return { user, token, email, caller };
}

import { expect } from "bun:test";
import type { UserRole } from "../../db/schema";
import type { AppDeps } from "../../server/context";
import { calculateScore } from "../../server/credit/scoring";
import { ledgerTrialBalance } from "../../server/loans/ledger";
import { profileLimits } from "../../server/profile/limits";
import { callerFor } from "./app";
import { FULL_PROFILE, setRole } from "./credit";
import { registerTestUser } from "./users";

/** Loans tests register many users from one address: lift the per-IP registration cap. */
export const LOAN_TEST_OVERRIDES = { RATE_LIMIT_REGISTER_IP: "100000/3600" };

/** A clean KYC application: the compliance checks verify it at once. */
export const CLEAN_KYC = {
  legalName: "Maria Gonzalez",
  dateOfBirth: "1980-03-15",
  country: "DE",
  address: "Lindenstraße 12, 10969 Berlin",
  documentType: "passport",
  documentNumber: "C01X00T47",
} as const;

export type ApplicantOptions = {
  /** The financial profile, in the profile's formats; FULL_PROFILE (income 6,000.00 a month) by default. */
  profile?: Record<string, unknown>;
  /** Submit a clean KYC application (default true). */
  kyc?: boolean;
  /** When to calculate the score: now by default, a past time for a stale one, false for none. */
  scoredAt?: Date | false;
};

/**
 * A registered user through the real procedures: profile, KYC (the compliance domain's submission) and a
 * credit score (the credit domain's calculation, with its clock moved for a stale one).
 */
export async function makeApplicant(deps: AppDeps, options: ApplicantOptions = {}) {
  const registered = await registerTestUser(deps, "Loan Applicant");
  const { caller, user } = registered;
  await caller.profile.update(
    (options.profile ?? FULL_PROFILE) as Parameters<typeof caller.profile.update>[0],
  );
  if (options.kyc !== false) {
    const kyc = await caller.compliance.submitKyc(CLEAN_KYC);
    if (kyc.status !== "verified") throw new Error(`test KYC application was ${kyc.status}`);
  }
  if (options.scoredAt !== false) {
    const meta = { actorId: user.id, ip: null, requestId: "test:score" };
    await calculateScore(
      deps.db,
      { scoring: deps.scoring, limits: profileLimits(deps.config), now: options.scoredAt ?? new Date() },
      meta,
      user.id,
    );
  }
  return { ...registered, user: { ...user, role: "user" as UserRole } };
}

/** A user holding `role`, with a caller built after the grant. */
export async function makeStaff(deps: AppDeps, role: UserRole = "underwriter") {
  const registered = await registerTestUser(deps, `Test ${role}`);
  await setRole(deps, registered.user.id, role);
  return {
    ...registered,
    user: { ...registered.user, role },
    caller: await callerFor(deps, { token: registered.token }),
  };
}

/** A caller for `token` that sends `idempotencyKey` the way the HTTP layer passes the header. */
export function callerWithKey(deps: AppDeps, token: string, idempotencyKey: string) {
  return callerFor(deps, { token, idempotencyKey });
}

/** The whole ledger balances: debits equal credits on every account taken together. */
export async function expectBooksBalanced(deps: AppDeps): Promise<void> {
  const balance = await ledgerTrialBalance(deps.db);
  expect(balance.balanced).toBe(true);
  expect(balance.totalDebit).toBe(balance.totalCredit);
}

export const newKey = () => crypto.randomUUID();

/* The loans integration tests' shared set-up and steps; each stage has its own file beside this one. */
import { afterEach, beforeAll, expect } from "bun:test";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { repayments } from "../../../db/schema";
import { amlConfig } from "../../../server/compliance/aml/monitoring";
import type { AppDeps } from "../../../server/context";
import { DomainError } from "../../../server/errors";
import { approveLoan, disburseLoan } from "../../../server/loans/workflow";
import { testDeps } from "../../helpers/app";
import {
  callerWithKey,
  expectBooksBalanced,
  type makeApplicant,
  makeStaff,
  newKey,
} from "../../helpers/loans";
import { settleAsProvider } from "../../helpers/payments";

export const driver = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";
export const DAY = 86_400_000;
export const system = { actorId: null, ip: null, requestId: "test" };

export let deps: AppDeps;
export let underwriter: Awaited<ReturnType<typeof makeStaff>>;
/** Four eyes: the one who approves does not pay out. */
export let disburser: Awaited<ReturnType<typeof makeStaff>>;

/** The file's set-up: one app's dependencies, two underwriters (four eyes), and balanced books after each test. */
export function useLoansFixture(): void {
  beforeAll(async () => {
    deps = await testDeps({ RATE_LIMIT_REGISTER_IP: "100000/3600" });
    underwriter = await makeStaff(deps, "underwriter");
    disburser = await makeStaff(deps, "underwriter");
  });
  afterEach(async () => {
    await expectBooksBalanced(deps);
  });
}

export const disburseDeps = (outbox = {}) => ({ outbox, aml: amlConfig(deps.config), fourEyes: true });

/** The error a procedure threw: its tRPC code and the domain's stable code. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; appCode: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof TRPCError) && !(error instanceof DomainError)) throw error;
    const cause = error instanceof TRPCError ? error.cause : error;
    return {
      code: error instanceof TRPCError ? error.code : error.kind,
      appCode: cause instanceof DomainError ? cause.code : "",
      message: error.message,
    };
  }
  throw new Error("expected the call to fail");
}

export type Applicant = Awaited<ReturnType<typeof makeApplicant>>;

export const application = { amount: "10000.00", termMonths: 12, purpose: "Home improvement" };

export async function apply(
  applicant: Applicant,
  body: Record<string, unknown> = application,
  key = newKey(),
) {
  const caller = await callerWithKey(deps, applicant.token, key);
  return caller.loans.submit(body as typeof application);
}

/** A loan approved and paid out at `at` (the schedule's dates start there). */
export async function disbursedLoan(
  applicant: Applicant,
  at: Date,
  body: Record<string, unknown> = application,
) {
  const loan = await apply(applicant, body);
  await approveLoan(deps.db, system, {}, underwriter.user, { loanId: loan.id, now: at });
  await disburseLoan(deps.db, system, disburseDeps(), disburser.user, { loanId: loan.id, now: at });
  return loan;
}

/** The borrower starts a repayment and the provider settles it; the loan as it is afterwards. */
export async function repay(applicant: Applicant, loanId: string, amount: string | number, now?: Date) {
  const caller = await callerWithKey(deps, applicant.token, newKey());
  const payment = await caller.loans.repay({ id: loanId, amount });
  const result = await settleAsProvider(deps, payment, { now });
  expect(result).toMatchObject({ outcome: "settled", paymentId: payment.id, paymentStatus: "settled" });
  const [booked] = await deps.db.select().from(repayments).where(eq(repayments.paymentId, payment.id));
  if (!booked) throw new Error("the settled payment was not booked");
  return { payment, booked, loan: await applicant.caller.loans.get({ id: loanId }) };
}

import { and, asc, eq, gt, inArray, lt, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "../../db/client";
import { loanInstalments, loanProductVersions, loans } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import type { Outbox } from "../chain/outbox";
import type { Config } from "../config";
import type { Jobs } from "../jobs/jobs";
import { describeError } from "../log-redaction";
import { emitEvent } from "../webhooks/events";
import { isoDate } from "./dates";
import { assessDelinquency, type DelinquencyPolicy } from "./delinquency";
import { chargeLateFees, type LateFeeCharge, lateFeeTermsOf } from "./late-fees";
import { toInstalmentDue } from "./views";
import { lockLoan, transitionLoan } from "./workflow";

export const DELINQUENCY_QUEUE = "loans.delinquency";

export type DelinquencyRun = {
  /** Disbursed loans with something unpaid past its grace period. */
  loansChecked: number;
  /** Instalments newly marked late by this run. */
  instalmentsMarkedLate: number;
  /** Late fees posted by this run (one per late instalment, on products that charge one) and their total. */
  lateFeesCharged: number;
  lateFeeCents: number;
  defaultedLoanIds: string[];
  failures: { loanId: string; error: string }[];
};

/**
 * Marks one loan's overdue instalments late (after its product's grace days), charges their late fees and defaults
 * the loan when due; one transaction under the loan's lock.
 */
async function assessLoan(
  db: Database,
  meta: RequestMeta,
  now: Date,
  params: { policy: DelinquencyPolicy; outbox: Outbox },
  loanId: string,
): Promise<{ markedLate: number; fees: LateFeeCharge[]; defaulted: boolean }> {
  return db.transaction(async (tx) => {
    const loan = await lockLoan(tx, loanId);
    if (loan.status !== "disbursed") return { markedLate: 0, fees: [], defaulted: false };
    const terms = await lateFeeTermsOf(tx, loan);
    const { defaultAfterDays } = params.policy;
    const policy = {
      graceDays: Math.min(terms?.graceDays ?? params.policy.graceDays, defaultAfterDays),
      defaultAfterDays,
    };
    const rows = await tx
      .select()
      .from(loanInstalments)
      .where(eq(loanInstalments.loanId, loanId))
      .orderBy(asc(loanInstalments.n));
    const assessment = assessDelinquency(rows.map(toInstalmentDue), now, policy);
    const newlyLateRows = rows.filter(
      (row) => row.state !== "late" && assessment.lateInstalments.includes(row.n),
    );
    const newlyLate = newlyLateRows.map((row) => row.n);
    let fees: LateFeeCharge[] = [];
    if (newlyLate.length > 0) {
      await tx
        .update(loanInstalments)
        .set({
          state: "late",
          lateAt: sql`coalesce(${loanInstalments.lateAt}, ${now.toISOString()}::timestamptz)`,
        })
        .where(and(eq(loanInstalments.loanId, loanId), inArray(loanInstalments.n, newlyLate)));
      if (terms) fees = await chargeLateFees(tx, { loanId, terms, lateInstalments: newlyLateRows, now });
      await appendAudit(tx, meta, {
        action: "loan.instalments_late",
        subjectType: "loan",
        subjectId: loanId,
        details: {
          userId: loan.userId,
          instalments: newlyLate,
          daysPastDue: assessment.daysPastDue,
          lateFees: fees,
          asOf: now,
        },
      });
      await emitEvent(tx, params.outbox, {
        type: "loan.late",
        orderKey: `loan:${loanId}`,
        payload: {
          loanId,
          userId: loan.userId,
          instalments: newlyLate,
          daysPastDue: assessment.daysPastDue,
          at: now.toISOString(),
        },
      });
    }
    if (assessment.shouldDefault) {
      await transitionLoan(tx, meta, params.outbox, loan, {
        to: "defaulted",
        actorId: null,
        reason: `Oldest unpaid instalment is ${assessment.daysPastDue} days past due (the limit is ${params.policy.defaultAfterDays})`,
        now,
      });
    }
    return { markedLate: newlyLate.length, fees, defaulted: assessment.shouldDefault };
  });
}

/**
 * Late detection as of `now` (a parameter: the cron passes the real time, tests and `jobs:run --now` move it).
 * An instalment with something unpaid more than the grace days (its product's) after its due day is marked late
 * and charged the product's late fee, once; a loan whose
 * oldest unpaid instalment is more than the default days past due moves to `defaulted` through the transition
 * table, audited. Each loan is its own transaction, so one failure leaves the others done; running twice for
 * the same `now` changes nothing the second time.
 */
export async function runDelinquency(
  db: Database,
  meta: RequestMeta,
  now: Date,
  params: { policy: DelinquencyPolicy; outbox?: Outbox },
): Promise<DelinquencyRun> {
  const { policy } = params;
  const outbox = params.outbox ?? {};
  // Each loan's grace days are its product version's (the configured ones for loans made before products).
  const graceDays = sql`coalesce(${loanProductVersions.graceDays}, ${policy.graceDays})::integer`;
  const cutoff = sql`${isoDate(now)}::date - ${graceDays}`;
  const candidates = await db
    .selectDistinct({ id: loans.id })
    .from(loans)
    .innerJoin(loanInstalments, eq(loanInstalments.loanId, loans.id))
    .leftJoin(
      loanProductVersions,
      and(
        eq(loanProductVersions.productId, loans.productId),
        eq(loanProductVersions.version, loans.productVersion),
      ),
    )
    .where(
      and(
        eq(loans.status, "disbursed"),
        lt(loanInstalments.dueDate, cutoff),
        gt(
          sql`${loanInstalments.principalCents} + ${loanInstalments.interestCents}`,
          sql`${loanInstalments.paidPrincipalCents} + ${loanInstalments.paidInterestCents}`,
        ),
      ),
    );
  const run: DelinquencyRun = {
    loansChecked: candidates.length,
    instalmentsMarkedLate: 0,
    lateFeesCharged: 0,
    lateFeeCents: 0,
    defaultedLoanIds: [],
    failures: [],
  };
  for (const { id } of candidates) {
    try {
      const result = await assessLoan(db, meta, now, { policy, outbox }, id);
      run.instalmentsMarkedLate += result.markedLate;
      run.lateFeesCharged += result.fees.length;
      run.lateFeeCents += result.fees.reduce((sum, fee) => sum + fee.feeCents, 0);
      if (result.defaulted) run.defaultedLoanIds.push(id);
    } catch (error) {
      run.failures.push({ loanId: id, error: describeError(error) });
    }
  }
  return run;
}

export type DelinquencyScheduleDeps = Outbox & {
  db: Database;
  logger: Logger;
  config: Pick<Config, "LOAN_DELINQUENCY_CRON" | "LOAN_GRACE_DAYS" | "LOAN_DEFAULT_AFTER_DAYS">;
  jobs: Jobs;
};

export function delinquencyPolicy(config: DelinquencyScheduleDeps["config"]): DelinquencyPolicy {
  return { graceDays: config.LOAN_GRACE_DAYS, defaultAfterDays: config.LOAN_DEFAULT_AFTER_DAYS };
}

/**
 * Registers the daily run as a pg-boss cron schedule (stored in the database, so every instance shares one
 * schedule and pg-boss sends one job per occurrence across them) and, where workers run, the worker. The queue
 * is `exclusive`: at most one run queued or active at a time.
 */
export async function startDelinquencySchedule(deps: DelinquencyScheduleDeps): Promise<void> {
  const { jobs, config } = deps;
  const log = deps.logger.child({ component: "loans.delinquency" });
  await jobs.ensureQueue(DELINQUENCY_QUEUE, {
    policy: "exclusive",
    retryLimit: 3,
    retryDelay: 300,
    retryBackoff: true,
  });
  await jobs.boss.schedule(DELINQUENCY_QUEUE, config.LOAN_DELINQUENCY_CRON, {}, { tz: "UTC" });
  await jobs.work(DELINQUENCY_QUEUE, async (job) => {
    const meta = { actorId: null, ip: null, requestId: `job:${DELINQUENCY_QUEUE}:${job.id}` };
    const run = await runDelinquency(deps.db, meta, new Date(), {
      policy: delinquencyPolicy(config),
      outbox: deps,
    });
    log.info(run, "delinquency run");
    if (run.failures.length > 0) throw new Error(`delinquency failed for ${run.failures.length} loan(s)`);
    return run;
  });
}

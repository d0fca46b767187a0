import { describe, expect, it } from "bun:test";
import { TRPCError } from "@trpc/server";
import { and, count, eq } from "drizzle-orm";
import {
  chainTransactions,
  loanInstalments,
  loans,
  loanTransitions,
  moneyMovements,
} from "../../../db/schema";
import type { ChainService } from "../../../server/chain/connection";
import type { Jobs } from "../../../server/jobs/jobs";
import { addMonthsClamped, isoDate, utcDay } from "../../../server/loans/dates";
import { ledgerTrialBalance } from "../../../server/loans/ledger";
import { approveLoan, disburseLoan } from "../../../server/loans/workflow";
import { makeApplicant, makeStaff } from "../../helpers/loans";

import {
  application,
  apply,
  deps,
  disburseDeps,
  disburser,
  driver,
  failure,
  system,
  underwriter,
  useLoansFixture,
} from "./fixture";

// The underwriting workflow: approval, rejection, withdrawal, disbursement.
useLoansFixture();

describe(`the underwriting workflow (${driver})`, () => {
  it("gives one approval and one 409 when two underwriters approve at once", async () => {
    const loan = await apply(await makeApplicant(deps));
    const second = await makeStaff(deps, "admin");
    const results = await Promise.allSettled([
      underwriter.caller.loans.approve({ id: loan.id }),
      second.caller.loans.approve({ id: loan.id }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(TRPCError);
    expect(refused.reason.code).toBe("CONFLICT");
    expect(refused.reason.message).toContain("The loan is approved");
    const approvals = await deps.db
      .select()
      .from(loanTransitions)
      .where(and(eq(loanTransitions.loanId, loan.id), eq(loanTransitions.toStatus, "approved")));
    expect(approvals).toHaveLength(1);
    const instalments = await deps.db
      .select({ n: count() })
      .from(loanInstalments)
      .where(eq(loanInstalments.loanId, loan.id));
    expect(instalments[0]?.n).toBe(12);
  });

  it("lets one of an approval and a rejection racing each other win", async () => {
    const loan = await apply(await makeApplicant(deps));
    const second = await makeStaff(deps, "underwriter");
    const results = await Promise.allSettled([
      underwriter.caller.loans.approve({ id: loan.id }),
      second.caller.loans.reject({ id: loan.id, reason: "Income not evidenced" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const history = await deps.db.select().from(loanTransitions).where(eq(loanTransitions.loanId, loan.id));
    expect(history).toHaveLength(2);
  });

  it("fixes the schedule at approval and dates it from disbursement", async () => {
    const applicant = await makeApplicant(deps);
    const loan = await apply(applicant, { ...application, scheduleType: "equal_principal" });
    const approved = await underwriter.caller.loans.approve({ id: loan.id, reason: "Stable income" });
    expect(approved.scheduleFixed).toBe(true);
    expect(approved.schedule.every((row) => row.dueDate === null)).toBe(true);
    expect(approved.schedule[0]).toMatchObject({
      principal: "833.33",
      interest: approved.schedule[0]?.interest,
    });
    const disbursed = await disburser.caller.loans.disburse({ id: loan.id });
    const day = utcDay(disbursed.disbursedAt as Date);
    expect(disbursed.schedule.map((row) => row.dueDate)).toEqual(
      Array.from({ length: 12 }, (_, i) => isoDate(addMonthsClamped(day, i + 1))),
    );
    expect(disbursed.schedule.map((row) => row.principal)).toEqual(
      approved.schedule.map((row) => row.principal),
    );
    expect(disbursed.outstanding).toBe(disbursed.totalPayable);
    expect(disbursed.history.map((item) => [item.from, item.to, item.actorId])).toEqual([
      [null, "submitted", applicant.user.id],
      ["submitted", "approved", underwriter.user.id],
      ["approved", "disbursed", disburser.user.id],
    ]);
    expect(disbursed.history[1]?.reason).toBe("Stable income");
    const ledger = await ledgerTrialBalance(deps.db, { loanId: loan.id });
    expect(ledger.accounts.find((row) => row.account === "loans_receivable")?.balance).toBe("10000.00");
    expect(ledger.accounts.find((row) => row.account === "cash")?.balance).toBe("-10000.00");
  });

  it("queues each status change for the chain in the transaction that makes it", async () => {
    const loan = await apply(await makeApplicant(deps));
    const sent: { queue: string; data: { status: string } }[] = [];
    const outbox = {
      chain: { publishQueue: "chain-publish.test" } as ChainService,
      jobs: {
        send: async (_tx: unknown, queue: string, data: { status: string }) => {
          sent.push({ queue, data });
          return crypto.randomUUID();
        },
      } as unknown as Jobs,
    };
    await approveLoan(deps.db, system, outbox, underwriter.user, { loanId: loan.id });
    await disburseLoan(deps.db, system, disburseDeps(outbox), disburser.user, { loanId: loan.id });
    expect(sent.map((job) => [job.queue, job.data.status])).toEqual([
      ["chain-publish.test", "approved"],
      ["chain-publish.test", "disbursed"],
    ]);
    const queued = await deps.db
      .select({ kind: chainTransactions.kind, summary: chainTransactions.summary })
      .from(chainTransactions)
      .where(eq(chainTransactions.referenceId, loan.id));
    expect(queued.map((row) => [row.kind, (row.summary as { status: string }).status])).toEqual([
      ["loan_status", "approved"],
      ["loan_status", "disbursed"],
    ]);
    const movements = await deps.db
      .select()
      .from(moneyMovements)
      .where(eq(moneyMovements.reference, loan.id));
    expect(movements).toMatchObject([{ kind: "disbursement", direction: "in", amountCents: 1_000_000 }]);
  });

  it("does not let an underwriter decide their own application", async () => {
    const own = await makeApplicant(deps);
    const loan = await apply(own);
    await deps.db.update(loans).set({ userId: underwriter.user.id }).where(eq(loans.id, loan.id));
    const error = await failure(underwriter.caller.loans.approve({ id: loan.id }));
    expect(error).toMatchObject({ code: "FORBIDDEN" });
  });
});

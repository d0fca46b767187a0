import { z } from "zod";
import { amlConfig } from "../server/compliance/aml/monitoring";
import type { Context } from "../server/context";
import { requireIdempotencyKey } from "../server/loans/idempotency";
import { getPayoff, listScheduleVersions } from "../server/loans/payoff";
import { portfolioPage } from "../server/loans/portfolio";
import {
  approveRestructure,
  cancelRestructure,
  listRestructures,
  proposeRestructure,
  type RestructureDeps,
} from "../server/loans/restructure";
import { idempotencyHeaders, loanIdInput } from "../server/loans/schemas";
import {
  payoffInputSchema,
  payoffSchema,
  portfolioInputSchema,
  portfolioSchema,
  proposeRestructureInputSchema,
  recoveryInputSchema,
  recoverySchema,
  restructureIdInput,
  restructureSchema,
  scheduleVersionSchema,
  statementInputSchema,
  statementSchema,
  writeOffInputSchema,
  writeOffSchema,
} from "../server/loans/servicing-schemas";
import { loanSettings } from "../server/loans/settings";
import { getStatement } from "../server/loans/statement";
import { recordRecovery, writeOffLoan } from "../server/loans/write-off";
import { protectedProcedure, roleProcedure, router } from "../server/trpc";

const tags = ["loans"];
/** Underwriters and admins: the book, restructures and recoveries. */
const staffProcedure = roleProcedure("underwriter", "admin");
/** Admins only: write-offs. */
const adminProcedure = roleProcedure("admin");

const restructureDeps = (ctx: Context): RestructureDeps => {
  const settings = loanSettings(ctx.config);
  return {
    outbox: { chain: ctx.chain, jobs: ctx.jobs },
    delinquency: settings.delinquency,
    maxTermMonths: settings.maxTermMonths,
  };
};

/**
 * Servicing a paid-out loan: payoff quotes, statements, restructures with four eyes, write-offs and recoveries, and
 * the book. Registered before the loans router: `/loans/portfolio` must match before `/loans/{id}`.
 */
export const servicingRouter = router({
  portfolio: staffProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/loans/portfolio",
        tags,
        summary:
          "The loan book: every loan with outstanding principal, arrears and days past due, with totals",
        description:
          "Newest first, keyset paged. Totals cover every loan the filters select. The same as CSV: GET /api/loans/portfolio.csv.",
        protect: true,
      },
    })
    .input(portfolioInputSchema)
    .output(portfolioSchema)
    .query(({ ctx, input }) => portfolioPage(ctx.db, input)),

  payoff: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/loans/{id}/payoff",
        tags,
        summary: "The exact amount that closes the loan on a day (today by default)",
        description:
          "Principal owed, interest due plus the running period's interest to that day, and fees. Pay it with a " +
          "repayment whose prepayment is set (either choice) on that day. Your own loan; staff any.",
        protect: true,
      },
    })
    .input(payoffInputSchema)
    .output(payoffSchema)
    .query(({ ctx, input }) => getPayoff(ctx.db, { actor: ctx.user, loanId: input.id, date: input.date })),

  scheduleVersions: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/loans/{id}/schedule-versions",
        tags,
        summary:
          "Every schedule the loan had before its current one (replaced by a prepayment or a restructure)",
        protect: true,
      },
    })
    .input(loanIdInput)
    .output(z.array(scheduleVersionSchema))
    .query(({ ctx, input }) => listScheduleVersions(ctx.db, { actor: ctx.user, loanId: input.id })),

  statement: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/loans/{id}/statement",
        tags,
        summary: "Statement between two days: opening and closing balance, payments, fees and interest",
        description:
          "Your own loan; staff any. With format=pdf (REST) the same statement as a PDF document (application/pdf).",
        protect: true,
      },
    })
    .input(statementInputSchema)
    .output(statementSchema)
    .query(({ ctx, input }) =>
      getStatement(ctx.db, { actor: ctx.user, loanId: input.id, from: input.from, to: input.to }),
    ),

  restructures: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/loans/{id}/restructures",
        tags,
        summary: "The loan's restructures, newest first",
        protect: true,
      },
    })
    .input(loanIdInput)
    .output(z.array(restructureSchema))
    .query(({ ctx, input }) => listRestructures(ctx.db, { actor: ctx.user, loanId: input.id })),

  proposeRestructure: staffProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/{id}/restructures",
        tags,
        summary: "Propose new terms for a late or defaulted loan; a second staff member approves them",
        description:
          "Changes nothing until approved. 409 LOAN_NOT_RESTRUCTURABLE unless the loan is late or defaulted; " +
          "409 RESTRUCTURE_PENDING while another waits; never on your own loan (403).",
        protect: true,
      },
    })
    .input(proposeRestructureInputSchema)
    .output(restructureSchema)
    .mutation(({ ctx, input }) =>
      proposeRestructure(ctx.db, restructureDeps(ctx), {
        meta: ctx.request,
        actor: ctx.user,
        loanId: input.id,
        effectiveDate: input.effectiveDate,
        termMonths: input.termMonths,
        aprBasisPoints: input.apr,
        capitaliseArrears: input.capitaliseArrears,
        reason: input.reason,
      }),
    ),

  approveRestructure: staffProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/{id}/restructures/{restructureId}/approve",
        tags,
        summary: "Approve a proposed restructure: the schedule is replaced (the old one kept)",
        description:
          "Not by the member of staff who proposed it (403 FOUR_EYES_REQUIRED). A defaulted loan returns to disbursed.",
        protect: true,
      },
    })
    .input(restructureIdInput)
    .output(restructureSchema)
    .mutation(({ ctx, input }) =>
      approveRestructure(ctx.db, restructureDeps(ctx), {
        meta: ctx.request,
        actor: ctx.user,
        loanId: input.id,
        restructureId: input.restructureId,
      }),
    ),

  cancelRestructure: staffProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/{id}/restructures/{restructureId}/cancel",
        tags,
        summary: "Decline (or withdraw) a proposed restructure; nothing else changes",
        protect: true,
      },
    })
    .input(restructureIdInput)
    .output(restructureSchema)
    .mutation(({ ctx, input }) =>
      cancelRestructure(ctx.db, {
        meta: ctx.request,
        actor: ctx.user,
        loanId: input.id,
        restructureId: input.restructureId,
      }),
    ),

  writeOff: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/{id}/write-off",
        tags,
        summary: "Write off a defaulted loan: what it owes moves to loan_losses (a balanced journal entry)",
        description: "Admins only. 409 ILLEGAL_TRANSITION unless the loan is defaulted.",
        protect: true,
      },
    })
    .input(writeOffInputSchema)
    .output(writeOffSchema)
    .mutation(({ ctx, input }) =>
      writeOffLoan(
        ctx.db,
        { outbox: { chain: ctx.chain, jobs: ctx.jobs } },
        { meta: ctx.request, actor: ctx.user, loanId: input.id, reason: input.reason },
      ),
    ),

  recover: staffProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/{id}/recoveries",
        tags,
        summary: "Record money received on a written-off loan (idempotent by the Idempotency-Key header)",
        description:
          "Dr cash / Cr loan_losses up to the loss still standing; beyond it, owed back to the borrower. " +
          "409 LOAN_NOT_WRITTEN_OFF otherwise.",
        protect: true,
        requestHeaders: idempotencyHeaders,
      },
    })
    .input(recoveryInputSchema)
    .output(recoverySchema)
    .mutation(({ ctx, input }) =>
      recordRecovery(
        ctx.db,
        { aml: amlConfig(ctx.config) },
        {
          meta: ctx.request,
          actor: ctx.user,
          loanId: input.id,
          amountCents: input.amount,
          reason: input.reason,
          idempotencyKey: requireIdempotencyKey(input.idempotencyKey, ctx.request.idempotencyKey),
        },
      ),
    ),
});

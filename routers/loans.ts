import { z } from "zod";
import { STAFF_ROLES } from "../server/auth/roles";
import { amlConfig } from "../server/compliance/aml/monitoring";
import type { Context } from "../server/context";
import { applyForLoan } from "../server/loans/apply";
import { requireIdempotencyKey } from "../server/loans/idempotency";
import { ledgerTrialBalance } from "../server/loans/ledger";
import { paymentSchema } from "../server/loans/payment-view";
import { productListSchema } from "../server/loans/products/schemas";
import { listProducts } from "../server/loans/products/service";
import {
  describeLoan,
  getLoanDetail,
  listOwnLoans,
  listRefusals,
  underwritingQueue,
} from "../server/loans/queries";
import {
  applyInputSchema,
  calculateInputSchema,
  decisionInputSchema,
  idempotencyHeaders,
  incomeVerificationInputSchema,
  incomeVerificationSchema,
  ledgerInputSchema,
  listLoansInputSchema,
  loanDetailSchema,
  loanIdInput,
  loanPageSchema,
  loanSchema,
  queueInputSchema,
  refusalPageSchema,
  refusalsInputSchema,
  rejectInputSchema,
  repayInputSchema,
  settleInputSchema,
  termsSchema,
  trialBalanceSchema,
} from "../server/loans/schemas";
import { loanSettings } from "../server/loans/settings";
import { calculateTerms } from "../server/loans/terms";
import { toLoanView } from "../server/loans/views";
import { approveLoan, disburseLoan, rejectLoan, withdrawLoan } from "../server/loans/workflow";
import { startRepayment } from "../server/payments/intent";
import { settleByStaff } from "../server/payments/staff-settlement";
import { verifyIncome } from "../server/profile/income-verification";
import { protectedProcedure, publicProcedure, roleProcedure, router } from "../server/trpc";

const tags = ["loans"];
/** Underwriters and admins: the queue and the decisions. */
const underwriterProcedure = roleProcedure(...STAFF_ROLES);
const outbox = (ctx: Context) => ({ chain: ctx.chain, jobs: ctx.jobs });
/** What booking a settled payment needs. */
const settlement = (ctx: Context) => ({
  outbox: outbox(ctx),
  aml: amlConfig(ctx.config),
  delinquency: loanSettings(ctx.config).delinquency,
});

export const loansRouter = router({
  calculate: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/calculate",
        tags,
        summary: "Quote terms: APR, payment, schedule and disclosure (stores nothing)",
        description:
          "Under the product named by productId (the default product without one). Without apr, the APR comes from your latest credit score's band in the product's pricing (422 SCORE_MISSING before the first score). The disclosure's APR is the actuarial APR of Regulation Z Appendix J, origination fee included.",
        protect: true,
      },
    })
    .input(calculateInputSchema)
    .output(termsSchema)
    .mutation(({ ctx, input }) =>
      calculateTerms(
        ctx.db,
        { settings: loanSettings(ctx.config) },
        {
          userId: ctx.user.id,
          productId: input.productId,
          amountCents: input.amount,
          termMonths: input.termMonths,
          scheduleType: input.scheduleType,
          aprBasisPoints: input.apr,
        },
      ),
    ),

  // Before `get`: "products" is not a loan id.
  products: publicProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/loans/products",
        tags,
        summary: "Loan products open to new loans, with their current terms (no sign-in needed)",
      },
    })
    .input(z.object({}))
    .output(productListSchema)
    .query(async ({ ctx }) => ({
      items: await listProducts(ctx.db, { settings: loanSettings(ctx.config) }),
    })),

  // `apply` is a reserved word in tRPC routers (procedures are callable proxies), hence `submit`; REST keeps /loans/apply.
  submit: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/apply",
        tags,
        summary: "Apply for a loan (idempotent by the Idempotency-Key header)",
        description:
          "A retry with the same key and body returns the first answer and makes no second loan; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED. Each eligibility refusal is a 422 with its own code.",
        protect: true,
        requestHeaders: idempotencyHeaders,
      },
    })
    .input(applyInputSchema)
    .output(loanSchema)
    .mutation(async ({ ctx, input }) => {
      const { loan } = await applyForLoan(
        ctx.db,
        ctx.request,
        { settings: loanSettings(ctx.config), outbox: outbox(ctx) },
        {
          userId: ctx.user.id,
          idempotencyKey: requireIdempotencyKey(input.idempotencyKey, ctx.request.idempotencyKey),
          productId: input.productId,
          amountCents: input.amount,
          termMonths: input.termMonths,
          purpose: input.purpose,
          scheduleType: input.scheduleType,
        },
      );
      return loan;
    }),

  list: protectedProcedure
    .meta({
      openapi: { method: "GET", path: "/loans", tags, summary: "Your loans, newest first", protect: true },
    })
    .input(listLoansInputSchema)
    .output(loanPageSchema)
    .query(({ ctx, input }) => listOwnLoans(ctx.db, ctx.user.id, input)),

  // Before `get`: REST routes match in this order, and "queue" is not a loan id.
  queue: underwriterProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/loans/queue",
        tags,
        summary: "Submitted applications waiting for a decision, oldest first",
        protect: true,
      },
    })
    .input(queueInputSchema)
    .output(loanPageSchema)
    .query(({ ctx, input }) => underwritingQueue(ctx.db, input)),

  // Before `get`, like the queue.
  refusals: underwriterProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/loans/refusals",
        tags,
        summary: "Refused applications with the real reason, newest first",
        description:
          "An applicant refused for an undisclosed reason (AML risk) was told only 422 NOT_ELIGIBLE; this shows the code.",
        protect: true,
      },
    })
    .input(refusalsInputSchema)
    .output(refusalPageSchema)
    .query(({ ctx, input }) => listRefusals(ctx.db, input)),

  verifyIncome: underwriterProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/applicants/{userId}/income-verification",
        tags,
        summary: "Mark an applicant's declared annual income as verified against evidence",
        description:
          "Needed before an income above LOAN_INCOME_VERIFICATION_THRESHOLD counts in the debt-to-income check. " +
          "annualIncome must be what the profile declares (409 INCOME_CHANGED); never your own (403). Audited.",
        protect: true,
      },
    })
    .input(incomeVerificationInputSchema)
    .output(incomeVerificationSchema)
    .mutation(({ ctx, input }) =>
      verifyIncome(
        ctx.db,
        { ...ctx.request, actorId: ctx.user.id },
        { userId: input.userId, annualIncomeCents: input.annualIncome, evidence: input.evidence },
      ),
    ),

  get: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/loans/{id}",
        tags,
        summary: "One loan with its schedule, payments, outstanding balance and history",
        description: "Your own; underwriters and admins may read any. Another user's loan is a 404.",
        protect: true,
      },
    })
    .input(loanIdInput)
    .output(loanDetailSchema)
    .query(({ ctx, input }) => getLoanDetail(ctx.db, ctx.user, input.id)),

  withdraw: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/{id}/withdraw",
        tags,
        summary: "Withdraw your application (submitted or approved only)",
        protect: true,
      },
    })
    .input(decisionInputSchema)
    .output(loanSchema)
    .mutation(async ({ ctx, input }) =>
      toLoanView(
        await withdrawLoan(ctx.db, ctx.request, outbox(ctx), ctx.user, {
          loanId: input.id,
          reason: input.reason,
        }),
      ),
    ),

  approve: underwriterProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/{id}/approve",
        tags,
        summary: "Approve a submitted application; its terms and schedule are fixed now",
        protect: true,
      },
    })
    .input(decisionInputSchema)
    .output(loanDetailSchema)
    .mutation(async ({ ctx, input }) =>
      describeLoan(
        ctx.db,
        await approveLoan(ctx.db, ctx.request, outbox(ctx), ctx.user, {
          loanId: input.id,
          reason: input.reason,
        }),
      ),
    ),

  reject: underwriterProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/{id}/reject",
        tags,
        summary: "Reject a submitted application, with the reason the applicant is given",
        protect: true,
      },
    })
    .input(rejectInputSchema)
    .output(loanSchema)
    .mutation(async ({ ctx, input }) =>
      toLoanView(
        await rejectLoan(ctx.db, ctx.request, outbox(ctx), ctx.user, {
          loanId: input.id,
          reason: input.reason,
          creditReason: input.creditReason,
          creditor: loanSettings(ctx.config).creditor,
        }),
      ),
    ),

  disburse: underwriterProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/{id}/disburse",
        tags,
        summary: "Pay out an approved loan; the schedule's due dates start now",
        description:
          "With LOAN_FOUR_EYES (the default) the staff member who approved the loan cannot pay it out: 403 FOUR_EYES_REQUIRED.",
        protect: true,
      },
    })
    .input(decisionInputSchema)
    .output(loanDetailSchema)
    .mutation(async ({ ctx, input }) =>
      describeLoan(
        ctx.db,
        await disburseLoan(
          ctx.db,
          ctx.request,
          { outbox: outbox(ctx), aml: amlConfig(ctx.config), fourEyes: ctx.config.LOAN_FOUR_EYES },
          ctx.user,
          {
            loanId: input.id,
            reason: input.reason,
          },
        ),
      ),
    ),

  repay: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/{id}/repayments",
        tags,
        summary: "Start a repayment (idempotent by the Idempotency-Key header): a pending payment intent",
        description:
          "Books nothing: the payment is booked when it settles (the payment provider's signed webhook, or staff who " +
          "received the money), due instalments first, interest before principal. More than the outstanding " +
          "balance is 422 OVERPAYMENT. Pay the intent with its reference.",
        protect: true,
        requestHeaders: idempotencyHeaders,
      },
    })
    .input(repayInputSchema)
    .output(paymentSchema)
    .mutation(async ({ ctx, input }) => {
      const { payment } = await startRepayment(
        ctx.db,
        ctx.request,
        {
          payments: ctx.payments,
          jobs: ctx.jobs,
          idempotencyTtlHours: ctx.config.IDEMPOTENCY_TTL_HOURS,
        },
        ctx.user,
        {
          loanId: input.id,
          amountCents: input.amount,
          idempotencyKey: requireIdempotencyKey(input.idempotencyKey, ctx.request.idempotencyKey),
          prepayment: input.prepayment,
        },
      );
      return payment;
    }),

  settle: underwriterProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/loans/{id}/payments/{paymentId}/settle",
        tags,
        summary: "Settle a pending payment whose money staff received (cash at a branch), with a reason",
        description:
          "Books it like the provider's settlement, audited with who did it. Not on your own loan (403); a payment " +
          "already settled or failed is 409 PAYMENT_NOT_PENDING.",
        protect: true,
      },
    })
    .input(settleInputSchema)
    .output(paymentSchema)
    .mutation(({ ctx, input }) =>
      settleByStaff(ctx.db, ctx.request, settlement(ctx), ctx.user, {
        loanId: input.id,
        paymentId: input.paymentId,
        reason: input.reason,
        amountCents: input.amount,
      }),
    ),

  ledgerBalance: roleProcedure("admin")
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/ledger/balance",
        tags: ["admin"],
        summary: "Trial balance of the loans ledger: debits and credits per account",
        protect: true,
      },
    })
    .input(ledgerInputSchema)
    .output(trialBalanceSchema)
    .query(({ ctx, input }) => ledgerTrialBalance(ctx.db, input)),
});

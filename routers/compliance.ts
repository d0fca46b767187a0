import { z } from "zod";
import { amlAlertStatuses, amlRules, kycStatuses } from "../db/schema";
import { closeAlert, listAlerts } from "../server/compliance/aml/monitoring";
import { decideKyc, kycSettings, submitKyc } from "../server/compliance/kyc-commands";
import { getKycView, listKycApplications } from "../server/compliance/kyc-queries";
import { reloadSanctionsList } from "../server/compliance/sanctions-registry";
import {
  alertCloseSchema,
  amlAlertSchema,
  kycApplicationSchema,
  kycDecisionSchema,
  kycStateSchema,
  kycSubmissionSchema,
  kycSubmitResultSchema,
  kycViewSchema,
  riskSchema,
} from "../server/compliance/schemas";
import { complianceSummary } from "../server/compliance/summary";
import { pageLimit, seqCursor } from "../server/pagination";
import { protectedProcedure, roleProcedure, router } from "../server/trpc";

const tags = ["compliance"];
const adminTags = ["admin", "compliance"];
const adminProcedure = roleProcedure("admin");
const limit = pageLimit(50);
const cursor = seqCursor;

/** Compliance officers' routes: KYC cases, AML alerts, the sanctions list. */
const complianceAdminRouter = router({
  kycApplications: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/kyc",
        tags: adminTags,
        summary: "List KYC applications (status=review is the review queue), oldest first",
        protect: true,
      },
    })
    .input(z.object({ status: z.enum(kycStatuses).optional(), userId: z.uuid().optional(), cursor, limit }))
    .output(z.object({ items: z.array(kycApplicationSchema), nextCursor: z.number().int().nullable() }))
    .query(({ ctx, input }) => listKycApplications(ctx.db, input)),

  decideKyc: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/kyc/{userId}/decision",
        tags: adminTags,
        summary: "Decide a user's KYC application in review",
        protect: true,
      },
    })
    .input(kycDecisionSchema)
    .output(z.object({ application: kycApplicationSchema }))
    .mutation(async ({ ctx, input }) => ({ application: await decideKyc(ctx.db, ctx.request, input, ctx) })),

  alerts: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/alerts",
        tags: adminTags,
        summary: "List AML alerts (status=open is the work queue), oldest first",
        protect: true,
      },
    })
    .input(
      z.object({
        status: z.enum(amlAlertStatuses).optional(),
        userId: z.uuid().optional(),
        rule: z.enum(amlRules).optional(),
        cursor,
        limit,
      }),
    )
    .output(z.object({ items: z.array(amlAlertSchema), nextCursor: z.number().int().nullable() }))
    .query(({ ctx, input }) => listAlerts(ctx.db, input)),

  closeAlert: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/alerts/{id}/close",
        tags: adminTags,
        summary: "Close an AML alert with a disposition",
        protect: true,
      },
    })
    .input(alertCloseSchema)
    .output(z.object({ alert: amlAlertSchema }))
    .mutation(async ({ ctx, input }) => ({
      alert: await closeAlert(ctx.db, ctx.request, {
        alertId: input.id,
        disposition: input.disposition,
        note: input.note,
      }),
    })),

  userCompliance: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/compliance/users/{userId}",
        tags: adminTags,
        summary: "A user's KYC status and AML risk level",
        protect: true,
      },
    })
    .input(z.object({ userId: z.uuid({ error: "userId must be a user id" }) }))
    .output(z.object({ userId: z.uuid(), kycStatus: kycStateSchema, risk: riskSchema }))
    .query(({ ctx, input }) => complianceSummary(ctx.db, input.userId)),

  reloadSanctions: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/sanctions/reload",
        tags: adminTags,
        summary: "Read the sanctions list again from its source and make every instance load it",
        description:
          "Reads SANCTIONS_DIR, or fetches SANCTIONS_SOURCE_URLS unconditionally; a changed list is stored as a " +
          "new version. Every instance loads the stored list again within SANCTIONS_POLL_SECONDS.",
        protect: true,
      },
    })
    .input(z.void())
    .output(
      z.object({
        count: z.number().int(),
        loadedAt: z.date(),
        skippedRows: z.number().int(),
        version: z.number().int(),
      }),
    )
    .mutation(async ({ ctx }) => {
      const { count, loadedAt, skippedRows, version } = await reloadSanctionsList(ctx.db, ctx, {
        meta: ctx.request,
        log: ctx.logger,
      });
      return { count, loadedAt, skippedRows, version };
    }),
});

export const complianceRouter = router({
  submitKyc: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/compliance/kyc",
        tags,
        summary: "Submit identity details for verification (KYC)",
        description:
          "Runs the checks (age, document number format, country, sanctions screening) and answers with the " +
          "status they decide: verified, rejected (correct and submit again) or review (a compliance officer " +
          'decides; the answer is only { status, message: "Your verification needs a manual review" }). A ' +
          "submission while in review is accepted and changes nothing.",
        protect: true,
      },
    })
    .input(kycSubmissionSchema)
    .output(kycSubmitResultSchema)
    .mutation(async ({ ctx, input }) => {
      const settings = kycSettings(ctx.config, await ctx.sanctions.index());
      return submitKyc(
        ctx.db,
        ctx.request,
        { ...settings, jobs: ctx.jobs },
        {
          userId: ctx.user.id,
          application: input,
        },
      );
    }),

  kyc: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/compliance/kyc",
        tags,
        summary: "Your KYC status, latest checks and what is missing",
        protect: true,
      },
    })
    .input(z.void())
    .output(kycViewSchema)
    .query(({ ctx }) => getKycView(ctx.db, ctx.user.id)),

  admin: complianceAdminRouter,
});

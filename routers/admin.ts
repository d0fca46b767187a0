import { z } from "zod";
import { userRoles } from "../db/schema";
import { listUsers, setUserRole } from "../server/admin/users";
import { listAuditEntries } from "../server/audit/query";
import { verifyAuditLog } from "../server/audit/verify";
import { publicUserSchema } from "../server/auth/schemas";
import { modelMonitoring, monitoringReportSchema } from "../server/credit/monitoring/service";
import { pageLimit, seqCursor } from "../server/pagination";
import { timeFilter } from "../server/query-inputs";
import { roleProcedure, router } from "../server/trpc";

const tags = ["admin"];
const adminProcedure = roleProcedure("admin");
const limit = pageLimit(50);

const auditEntrySchema = z.object({
  seq: z.number().int(),
  occurredAt: z.date(),
  actorId: z.string().nullable(),
  action: z.string(),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});

export const adminRouter = router({
  users: adminProcedure
    .meta({ openapi: { method: "GET", path: "/admin/users", tags, summary: "List users", protect: true } })
    .input(
      z.object({
        email: z.string().max(254).optional(),
        role: z.enum(userRoles).optional(),
        cursor: z.uuid().optional(),
        limit,
      }),
    )
    .output(z.object({ items: z.array(publicUserSchema), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => listUsers(ctx.db, input)),

  setRole: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/users/{id}/role",
        tags,
        summary: "Grant a role to a user",
        protect: true,
      },
    })
    .input(z.object({ id: z.uuid({ error: "id must be a user id" }), role: z.enum(userRoles) }))
    .output(z.object({ user: publicUserSchema }))
    .mutation(async ({ ctx, input }) => ({
      user: await setUserRole(ctx.db, ctx.request, { userId: input.id, role: input.role }),
    })),

  audit: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/audit",
        tags,
        summary: "Read the audit log, newest first",
        protect: true,
      },
    })
    .input(
      z.object({
        userId: z.uuid().optional(),
        action: z.string().max(100).optional(),
        from: timeFilter.optional(),
        to: timeFilter.optional(),
        cursor: seqCursor,
        limit,
      }),
    )
    .output(z.object({ items: z.array(auditEntrySchema), nextCursor: z.number().int().nullable() }))
    .query(({ ctx, input }) => listAuditEntries(ctx.db, input)),

  verifyAudit: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/audit/verify",
        tags,
        summary: "Verify the whole audit hash chain against its checkpoints",
        description:
          "Walks the chain and names the first entry whose content or link does not match. `truncated` is true " +
          "when entries a checkpoint saw are gone (the newest rows were cut); `missing` gives their range.",
        protect: true,
      },
    })
    .input(z.void())
    .output(
      z.object({
        ok: z.boolean(),
        checked: z.number().int(),
        firstBroken: z
          .object({
            seq: z.number().int(),
            reason: z.enum(["hash_mismatch", "broken_link", "checkpoint_mismatch"]),
          })
          .nullable(),
        truncated: z.boolean(),
        missing: z.object({ fromSeq: z.number().int(), toSeq: z.number().int() }).nullable(),
        lastCheckpoint: z
          .object({ seq: z.number().int(), hash: z.string(), source: z.enum(["database", "chain"]) })
          .nullable(),
        chainCheckpoint: z.enum(["checked", "not_configured", "unreachable"]),
      }),
    )
    .mutation(({ ctx }) => verifyAuditLog(ctx)),

  modelMonitoring: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/model/monitoring",
        tags,
        summary: "Stability of the credit model: the window's scores against its training population",
        description:
          "PSI of the score and of each feature (characteristic stability) over [from, to) (default: the last " +
          'seven days), flagged "watch" from 0.1 and "act" from 0.25, and approval and default rates by band ' +
          "once loans have outcomes. 503 MODEL_NOT_LOADED unless the boosted trees score on this server.",
        protect: true,
      },
    })
    .input(z.object({ from: timeFilter.optional(), to: timeFilter.optional() }))
    .output(monitoringReportSchema)
    .query(({ ctx, input }) => modelMonitoring(ctx.db, { scoring: ctx.scoring }, input)),
});

import { z } from "zod";
import { userRoles } from "../db/schema";
import { listUsers, setUserRole } from "../server/admin/users";
import { listAuditEntries } from "../server/audit/query";
import { verifyAuditChain } from "../server/audit/verify";
import { publicUserSchema } from "../server/auth/schemas";
import { roleProcedure, router } from "../server/trpc";

const tags = ["admin"];
const adminProcedure = roleProcedure("admin");
const limit = z.coerce.number().int().min(1).max(100).default(50);

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
        from: z.coerce.date().optional(),
        to: z.coerce.date().optional(),
        cursor: z.coerce.number().int().positive().optional(),
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
        summary: "Verify the whole audit hash chain",
        protect: true,
      },
    })
    .input(z.void())
    .output(
      z.object({
        ok: z.boolean(),
        checked: z.number().int(),
        firstBroken: z
          .object({ seq: z.number().int(), reason: z.enum(["hash_mismatch", "broken_link"]) })
          .nullable(),
      }),
    )
    .mutation(({ ctx }) => verifyAuditChain(ctx.db)),
});

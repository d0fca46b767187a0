import { z } from "zod";
import { successSchema } from "../server/auth/schemas";
import { pageLimit, seqCursor } from "../server/pagination";
import { roleProcedure, router } from "../server/trpc";
import { getDelivery, listDeliveries, redeliver } from "../server/webhooks/deliveries";
import { deleteEndpoint, listEndpoints, registerEndpoint } from "../server/webhooks/endpoints";
import { webhookEventTypes } from "../server/webhooks/events";

const tags = ["webhooks"];
/** Admins only: endpoints receive every borrower's events. */
const adminProcedure = roleProcedure("admin");

const endpointSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  events: z.array(z.string()),
  createdAt: z.date(),
  createdBy: z.string().nullable(),
});

const deliverySchema = z.object({
  id: z.uuid(),
  seq: z.number().int(),
  endpointId: z.uuid(),
  eventId: z
    .uuid()
    .meta({ description: "The receiver's dedupe key: the same on every retry and redelivery" }),
  eventType: z.string(),
  status: z.enum(["pending", "succeeded", "failed"]),
  attempts: z.number().int(),
  nextAttemptAt: z.date(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.date().nullable(),
  redeliveryOf: z.string().nullable(),
  createdAt: z.date(),
});

const attemptSchema = z.object({
  n: z.number().int(),
  outcome: z.enum(["succeeded", "failed"]),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
  at: z.date(),
});

const deliveryDetailSchema = deliverySchema.extend({ attemptLog: z.array(attemptSchema) });

const urlInput = z
  .string({ error: "url is required" })
  .trim()
  .max(2048, "url must be at most 2048 characters")
  .pipe(z.url({ protocol: /^https?$/, error: "url must be an http(s) URL" }));

export const webhooksRouter = router({
  register: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/webhooks",
        tags,
        summary: "Register a webhook endpoint; its signing secret is shown only in this answer",
        protect: true,
      },
    })
    .input(
      z.object({
        url: urlInput,
        events: z
          .array(z.enum(webhookEventTypes))
          .min(1, "events must name at least one event")
          .max(webhookEventTypes.length * 2),
      }),
    )
    .output(endpointSchema.extend({ secret: z.string() }))
    .mutation(({ ctx, input }) => registerEndpoint(ctx.db, ctx, { ...input, meta: ctx.request })),

  list: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/webhooks",
        tags,
        summary: "List webhook endpoints",
        protect: true,
      },
    })
    .input(z.void())
    .output(z.object({ items: z.array(endpointSchema) }))
    .query(async ({ ctx }) => ({ items: await listEndpoints(ctx.db) })),

  delete: adminProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/admin/webhooks/{id}",
        tags,
        summary: "Delete a webhook endpoint; it receives nothing more",
        protect: true,
      },
    })
    .input(z.object({ id: z.uuid({ error: "id must be a webhook endpoint id" }) }))
    .output(successSchema)
    .mutation(async ({ ctx, input }) => {
      await deleteEndpoint(ctx.db, { id: input.id, meta: ctx.request });
      return { success: true as const };
    }),

  deliveries: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/webhooks/deliveries",
        tags,
        summary: "List webhook deliveries, newest first",
        protect: true,
      },
    })
    .input(
      z.object({
        endpointId: z.uuid().optional(),
        eventId: z.uuid().optional(),
        status: z.enum(["pending", "succeeded", "failed"]).optional(),
        cursor: seqCursor,
        limit: pageLimit(50),
      }),
    )
    .output(z.object({ items: z.array(deliverySchema), nextCursor: z.number().int().nullable() }))
    .query(({ ctx, input }) => listDeliveries(ctx.db, input)),

  delivery: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/webhooks/deliveries/{id}",
        tags,
        summary: "One webhook delivery with every attempt",
        protect: true,
      },
    })
    .input(z.object({ id: z.uuid({ error: "id must be a delivery id" }) }))
    .output(deliveryDetailSchema)
    .query(({ ctx, input }) => getDelivery(ctx.db, input)),

  redeliver: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/webhooks/deliveries/{id}/redeliver",
        tags,
        summary: "Send a delivery's event again (same event id)",
        protect: true,
      },
    })
    .input(z.object({ id: z.uuid({ error: "id must be a delivery id" }) }))
    .output(deliveryDetailSchema)
    .mutation(({ ctx, input }) => redeliver(ctx.db, ctx, { id: input.id, meta: ctx.request })),
});

import {
  bigserial,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth";

/** A client app's URL and the events it wants; the signing secret is sealed under the server key. */
export const webhookEndpoints = pgTable("webhook_endpoints", {
  id: uuid("id").primaryKey().defaultRandom(),
  url: text("url").notNull(),
  events: text("events").array().notNull(),
  secretSealed: text("secret_sealed").notNull(),
  createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  // Deleted endpoints are kept (their deliveries stay listable) but receive nothing more.
  deletedAt: timestamp("deleted_at", { withTimezone: true }),
});

/** One thing that happened, written in the transaction of the change; its id is the receiver's dedupe key. */
export const webhookEvents = pgTable("webhook_events", {
  id: uuid("id").primaryKey().defaultRandom(),
  type: text("type").notNull(),
  /** Events with one key (`loan:<id>`) reach each endpoint in the order they were written. */
  orderKey: text("order_key"),
  payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const webhookDeliveryStatus = pgEnum("webhook_delivery_status", ["pending", "succeeded", "failed"]);

/** One event to one endpoint: the outbox row the delivery job works from. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Order of writing: within an endpoint and order key, a delivery waits for every earlier one. */
    seq: bigserial("seq", { mode: "number" }).notNull(),
    eventId: uuid("event_id")
      .notNull()
      .references(() => webhookEvents.id),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id),
    /** Copied from the event; null for a redelivery, which goes out on its own. */
    orderKey: text("order_key"),
    status: webhookDeliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** Set while a worker is sending it; a lease that runs out (a crashed worker) can be taken over. */
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    redeliveryOf: uuid("redelivery_of"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("webhook_deliveries_seq_idx").on(table.seq),
    index("webhook_deliveries_lane_idx").on(table.endpointId, table.orderKey, table.seq),
    index("webhook_deliveries_event_idx").on(table.eventId),
  ],
);

export const webhookAttemptOutcome = pgEnum("webhook_attempt_outcome", ["succeeded", "failed"]);

/** Every try, kept: what the receiver answered (or why nothing was sent) and how long it took. */
export const webhookDeliveryAttempts = pgTable(
  "webhook_delivery_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id),
    n: integer("n").notNull(),
    outcome: webhookAttemptOutcome("outcome").notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("webhook_delivery_attempts_delivery_idx").on(table.deliveryId, table.n)],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;

import { randomBytes } from "node:crypto";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { webhookEndpoints } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import type { SecretVault } from "../auth/secret-vault";
import { invalidInput, notFound } from "../errors";
import type { WebhookEventType } from "./events";
import type { WebhookSettings } from "./settings";
import { checkTarget } from "./target";

export type EndpointDeps = { vault: SecretVault; webhooks: WebhookSettings };

export type EndpointView = {
  id: string;
  url: string;
  events: string[];
  createdAt: Date;
  createdBy: string | null;
};

const endpointColumns = {
  id: webhookEndpoints.id,
  url: webhookEndpoints.url,
  events: webhookEndpoints.events,
  createdAt: webhookEndpoints.createdAt,
  createdBy: webhookEndpoints.createdBy,
};

export type RegisterEndpointParams = { url: string; events: WebhookEventType[]; meta: RequestMeta };

/**
 * Registers a client app's URL. Its host must resolve to addresses a webhook may reach (checked again at every
 * delivery). The signing secret is returned here once; the server keeps it sealed under MFA_ENCRYPTION_KEY,
 * with the endpoint's id as associated data, because it must read it back to sign.
 */
export async function registerEndpoint(
  db: Database,
  deps: EndpointDeps,
  params: RegisterEndpointParams,
): Promise<EndpointView & { secret: string }> {
  const target = await checkTarget(params.url, deps.webhooks);
  if (!target.ok) throw invalidInput("WEBHOOK_URL_REFUSED", `url ${target.reason}`);
  const id = crypto.randomUUID();
  const secret = `whsec_${randomBytes(32).toString("hex")}`;
  const secretSealed = await deps.vault.seal(secret, id);
  const events = [...new Set(params.events)].sort();
  return db.transaction(async (tx) => {
    const [endpoint] = await tx
      .insert(webhookEndpoints)
      .values({ id, url: target.url.toString(), events, secretSealed, createdBy: params.meta.actorId })
      .returning(endpointColumns);
    if (!endpoint) throw new Error("webhook endpoint insert returned no row");
    await appendAudit(tx, params.meta, {
      action: "webhook.endpoint_registered",
      subjectType: "webhook_endpoint",
      subjectId: id,
      details: { url: endpoint.url, events },
    });
    return { ...endpoint, secret };
  });
}

/** The live endpoints, oldest first; secrets never leave after registration. */
export async function listEndpoints(db: Database): Promise<EndpointView[]> {
  return db
    .select(endpointColumns)
    .from(webhookEndpoints)
    .where(isNull(webhookEndpoints.deletedAt))
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id));
}

export type DeleteEndpointParams = { id: string; meta: RequestMeta };

/** The endpoint receives nothing more (pending deliveries to it end as failed); its history stays listable. */
export async function deleteEndpoint(db: Database, params: DeleteEndpointParams): Promise<void> {
  await db.transaction(async (tx) => {
    const [deleted] = await tx
      .update(webhookEndpoints)
      .set({ deletedAt: new Date() })
      .where(and(eq(webhookEndpoints.id, params.id), isNull(webhookEndpoints.deletedAt)))
      .returning({ id: webhookEndpoints.id, url: webhookEndpoints.url });
    if (!deleted) throw notFound("Webhook endpoint");
    await appendAudit(tx, params.meta, {
      action: "webhook.endpoint_deleted",
      subjectType: "webhook_endpoint",
      subjectId: params.id,
      details: { url: deleted.url },
    });
  });
}

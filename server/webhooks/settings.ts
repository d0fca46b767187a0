import type { Config } from "../config";
import { type Resolver, systemResolver } from "./target";

/** How webhooks are checked and delivered, built once at start-up. */
export type WebhookSettings = {
  /** Loopback, private and link-local targets allowed: outside production, or WEBHOOKS_ALLOW_PRIVATE=true. */
  allowPrivate: boolean;
  retryBaseMs: number;
  retryMaxMs: number;
  /** A delivery still failing this long after its event is given up (status `failed`). */
  retryWindowMs: number;
  timeoutMs: number;
  resolve: Resolver;
};

export function webhookSettings(
  config: Pick<
    Config,
    | "NODE_ENV"
    | "WEBHOOKS_ALLOW_PRIVATE"
    | "WEBHOOKS_RETRY_BASE_SECONDS"
    | "WEBHOOKS_RETRY_HOURS"
    | "WEBHOOKS_TIMEOUT_SECONDS"
  >,
): WebhookSettings {
  return {
    allowPrivate: config.WEBHOOKS_ALLOW_PRIVATE ?? config.NODE_ENV !== "production",
    retryBaseMs: config.WEBHOOKS_RETRY_BASE_SECONDS * 1000,
    retryMaxMs: 3600 * 1000,
    retryWindowMs: config.WEBHOOKS_RETRY_HOURS * 3600 * 1000,
    timeoutMs: config.WEBHOOKS_TIMEOUT_SECONDS * 1000,
    resolve: systemResolver,
  };
}

/** Exponential backoff: the base, doubled for each attempt already made, capped at an hour. */
export function retryDelayMs(
  settings: Pick<WebhookSettings, "retryBaseMs" | "retryMaxMs">,
  attempts: number,
) {
  return Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

import { randomBytes } from "node:crypto";
import type { Config } from "../config";

/** How repayments settle in this process. */
export type PaymentsSettings = {
  /** webhook: the provider's signed events settle; sandbox: this process settles each intent itself, signed. */
  provider: "webhook" | "sandbox";
  /**
   * The webhook's HMAC key: PAYMENTS_WEBHOOK_SECRET, or outside production a random one made at start (the
   * sandbox signs with it and the webhook checks it, in this process). Null in production without the variable:
   * then the webhook answers 503 PAYMENTS_UNAVAILABLE and the provider retries until it is set.
   */
  webhookSecret: string | null;
  /** Sandbox only: how long after an intent its settlement arrives. */
  sandboxDelaySeconds: number;
  /** Whether the secret was generated for this process (logged at start, never printed). */
  generatedSecret: boolean;
};

export function paymentsSettings(
  config: Pick<
    Config,
    "NODE_ENV" | "PAYMENTS_PROVIDER" | "PAYMENTS_WEBHOOK_SECRET" | "PAYMENTS_SANDBOX_DELAY_SECONDS"
  >,
): PaymentsSettings {
  const configured = config.PAYMENTS_WEBHOOK_SECRET ?? null;
  const generate = configured === null && config.NODE_ENV !== "production";
  return {
    provider: config.PAYMENTS_PROVIDER,
    webhookSecret: configured ?? (generate ? randomBytes(32).toString("hex") : null),
    sandboxDelaySeconds: config.PAYMENTS_SANDBOX_DELAY_SECONDS,
    generatedSecret: generate,
  };
}

import { createHmac, timingSafeEqual } from "node:crypto";

/** How far a signature's timestamp may be from now, either way: older events are replays or stale retries. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export const SIGNATURE_HEADER = "BlockScore-Signature";

/** HMAC-SHA256 of `"<t>.<raw body>"` under the secret, as lower-case hex (the scheme Stripe uses). */
export function signPayload(secret: string, timestamp: number, rawBody: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${rawBody}`, "utf8").digest("hex");
}

/** The header value for a body signed now: `t=<unix seconds>,v1=<hex>`. */
export function signatureHeader(secret: string, rawBody: string, now: Date = new Date()): string {
  const timestamp = Math.floor(now.getTime() / 1000);
  return `t=${timestamp},v1=${signPayload(secret, timestamp, rawBody)}`;
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | {
      ok: false;
      code: "WEBHOOK_SIGNATURE_MISSING" | "WEBHOOK_SIGNATURE_INVALID" | "WEBHOOK_TIMESTAMP_STALE";
      message: string;
    };

/**
 * Checks `t=<unix>,v1=<hex>[,v1=<hex>…]` against the exact bytes received. Any one v1 may match (a provider
 * rotating its secret sends two); the comparison is constant-time; a timestamp more than five minutes from now,
 * either way, is refused even with a good signature, so a captured request cannot be replayed later.
 */
export function verifySignature(
  secret: string,
  header: string | null,
  rawBody: string,
  now: Date = new Date(),
): SignatureCheck {
  if (!header) {
    return {
      ok: false,
      code: "WEBHOOK_SIGNATURE_MISSING",
      message: `The ${SIGNATURE_HEADER} header is required`,
    };
  }
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === "v1" && value && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === null || signatures.length === 0) {
    return {
      ok: false,
      code: "WEBHOOK_SIGNATURE_INVALID",
      message: `The ${SIGNATURE_HEADER} header must read t=<unix seconds>,v1=<hex>`,
    };
  }
  const expected = Buffer.from(signPayload(secret, timestamp, rawBody), "hex");
  const matches = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, "hex"), expected));
  if (!matches) {
    return { ok: false, code: "WEBHOOK_SIGNATURE_INVALID", message: "The signature does not match the body" };
  }
  if (Math.abs(now.getTime() / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
    return {
      ok: false,
      code: "WEBHOOK_TIMESTAMP_STALE",
      message: `The signature's timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes from now`,
    };
  }
  return { ok: true, timestamp };
}

import { hmac } from "@oslojs/crypto/hmac";
import { SHA256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";

export type AuditContent = {
  occurredAt: Date;
  actorId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
};

/** Keys sorted at every depth: jsonb does not keep key order, and the hash must survive a round trip. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}

/**
 * HMAC-SHA-256 under AUDIT_HMAC_KEY of the entry's canonical JSON, its predecessor's hash included. Keyed, so
 * whoever can write to the database but does not hold the key cannot forge a chain that verifies.
 */
export function hashAuditEntry(key: Uint8Array, prevHash: string, content: AuditContent): string {
  const payload = canonicalJson({ ...content, occurredAt: content.occurredAt.toISOString(), prevHash });
  return encodeHexLowerCase(hmac(SHA256, key, new TextEncoder().encode(payload)));
}

import { sha256 } from "@oslojs/crypto/sha2";
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

export function hashAuditEntry(prevHash: string, content: AuditContent): string {
  const payload = canonicalJson({ ...content, occurredAt: content.occurredAt.toISOString(), prevHash });
  return encodeHexLowerCase(sha256(new TextEncoder().encode(payload)));
}

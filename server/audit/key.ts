import { decodeHex } from "@oslojs/encoding";

let installed: Uint8Array | null = null;

/**
 * The key of the audit chain's HMAC (AUDIT_HMAC_KEY), installed once at start-up by the process (server, CLI,
 * test set-up). It is process-wide rather than passed along because every domain appends audit entries inside
 * its own transactions; threading a key through each of them would put a secret in every signature.
 */
export function installAuditKey(keyHex: string): void {
  if (!/^[0-9a-fA-F]{64}$/.test(keyHex)) throw new Error("AUDIT_HMAC_KEY must be 64 hex characters");
  installed = decodeHex(keyHex);
}

export function auditKey(): Uint8Array {
  if (!installed)
    throw new Error("the audit key is not installed (AUDIT_HMAC_KEY; see server/server-keys.ts)");
  return installed;
}

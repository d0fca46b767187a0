import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32UpperCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";

/** Recovery codes and one-time codes are stored as SHA-256 only, like session secrets. */
export function hashCode(code: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(code)));
}

/** "ABCDE-FGHJK": 50 bits, easy to type from paper. */
export function generateRecoveryCode(): string {
  const raw = encodeBase32UpperCaseNoPadding(crypto.getRandomValues(new Uint8Array(10))).slice(0, 10);
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

export function normaliseRecoveryCode(code: string): string {
  const compact = code.toUpperCase().replace(/[^A-Z0-9]/g, "");
  return `${compact.slice(0, 5)}-${compact.slice(5)}`;
}

/** Six uniformly random digits (rejection sampling keeps every code equally likely). */
export function generateSixDigitCode(): string {
  const buffer = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buffer);
    const value = buffer[0] ?? 0;
    if (value < 4_294_000_000) return String(value % 1_000_000).padStart(6, "0");
  }
}

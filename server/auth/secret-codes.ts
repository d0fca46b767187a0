import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";

const RECOVERY_CODE_BYTES = 15;

/** "ABCD-EFGH-IJKL-MNOP-QRST-UVWX": 120 random bits (ASVS asks for at least 112), in groups to copy from paper. */
export function generateRecoveryCode(): string {
  const raw = encodeBase32UpperCaseNoPadding(crypto.getRandomValues(new Uint8Array(RECOVERY_CODE_BYTES)));
  return raw.match(/.{4}/g)?.join("-") ?? raw;
}

/**
 * The form a recovery code is compared in: upper case, separators dropped, and the digits people type for the
 * letters base32 lacks read as those letters (0 → O, 1 → I, 8 → B).
 */
export function normaliseRecoveryCode(code: string): string {
  return code
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "")
    .replace(/0/g, "O")
    .replace(/1/g, "I")
    .replace(/8/g, "B");
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

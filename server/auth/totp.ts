import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeHex, encodeBase32UpperCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

export function generateTotpKey(): string {
  return encodeHexLowerCase(crypto.getRandomValues(new Uint8Array(20)));
}

/** What an authenticator app needs: the base32 secret and an otpauth:// URI to scan. */
export function totpEnrolment(
  keyHex: string,
  issuer: string,
  accountName: string,
): { secret: string; uri: string } {
  const key = decodeHex(keyHex);
  return {
    secret: encodeBase32UpperCaseNoPadding(key),
    uri: createTOTPKeyURI(issuer, accountName, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS),
  };
}

export function totpStep(now: number): number {
  return Math.floor(now / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The time step the code belongs to, accepting one step of clock drift either way, or null. Steps at or before
 * `lastUsedStep` never match, so a code cannot be used twice.
 */
export function matchTotp(
  keyHex: string,
  code: string,
  lastUsedStep: number | null,
  now = Date.now(),
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const key = decodeHex(keyHex);
  const current = totpStep(now);
  const given = new TextEncoder().encode(code);
  for (const step of [current - 1, current, current + 1]) {
    if (lastUsedStep !== null && step <= lastUsedStep) continue;
    const expected = new TextEncoder().encode(generateHOTP(key, BigInt(step), TOTP_DIGITS));
    if (constantTimeEqual(expected, given)) return step;
  }
  return null;
}

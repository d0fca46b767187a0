import {
  decodeBase64urlIgnorePadding,
  decodeHex,
  encodeBase64urlNoPadding,
  encodeHexLowerCase,
} from "@oslojs/encoding";

/**
 * The server's MFA secrets, under MFA_ENCRYPTION_KEY (always present: configured, or generated into the data
 * folder by the embedded mode). Two keys are derived from it with HKDF, one per purpose:
 * - `seal`/`open`: AES-256-GCM for secrets the server must read back (TOTP keys). The owner's user id is the
 *   associated data, so a sealed key copied onto another account does not open there.
 * - `digest`: HMAC-SHA-256 for codes the server only compares (recovery codes, one-time codes), so a copy of
 *   the database alone cannot be searched for them offline.
 */
export type SecretVault = {
  seal(plaintext: string, owner: string): Promise<string>;
  open(stored: string, owner: string): Promise<string>;
  digest(purpose: CodePurpose, code: string): Promise<string>;
};

export type CodePurpose = "recovery-code" | "one-time-code";

const PREFIX = "sealed:v1:";
const IV_BYTES = 12;
const encoder = new TextEncoder();

async function deriveKeys(keyHex: string) {
  const master = await crypto.subtle.importKey("raw", new Uint8Array(decodeHex(keyHex)), "HKDF", false, [
    "deriveKey",
  ]);
  const hkdf = (info: string) => ({
    name: "HKDF",
    hash: "SHA-256",
    salt: new Uint8Array(0),
    info: encoder.encode(info),
  });
  const [sealing, digesting] = await Promise.all([
    crypto.subtle.deriveKey(hkdf("blockscore/mfa/seal/v1"), master, { name: "AES-GCM", length: 256 }, false, [
      "encrypt",
      "decrypt",
    ]),
    crypto.subtle.deriveKey(
      hkdf("blockscore/mfa/digest/v1"),
      master,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    ),
  ]);
  return { sealing, digesting };
}

export function createSecretVault(keyHex: string): SecretVault {
  if (!/^[0-9a-fA-F]{64}$/.test(keyHex)) throw new Error("MFA_ENCRYPTION_KEY must be 64 hex characters");
  const keys = deriveKeys(keyHex);
  return {
    async seal(plaintext, owner) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: "AES-GCM", iv, additionalData: encoder.encode(owner) },
          (await keys).sealing,
          encoder.encode(plaintext),
        ),
      );
      const joined = new Uint8Array(IV_BYTES + sealed.length);
      joined.set(iv);
      joined.set(sealed, IV_BYTES);
      return PREFIX + encodeBase64urlNoPadding(joined);
    },
    async open(stored, owner) {
      if (!stored.startsWith(PREFIX)) throw new Error("the stored secret is not sealed");
      const joined = new Uint8Array(decodeBase64urlIgnorePadding(stored.slice(PREFIX.length)));
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: joined.slice(0, IV_BYTES), additionalData: encoder.encode(owner) },
        (await keys).sealing,
        joined.slice(IV_BYTES),
      );
      return new TextDecoder().decode(plain);
    },
    async digest(purpose, code) {
      const mac = await crypto.subtle.sign(
        "HMAC",
        (await keys).digesting,
        encoder.encode(`${purpose}\n${code}`),
      );
      return encodeHexLowerCase(new Uint8Array(mac));
    },
  };
}

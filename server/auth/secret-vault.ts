import { decodeBase64urlIgnorePadding, decodeHex, encodeBase64urlNoPadding } from "@oslojs/encoding";

/**
 * Seals secrets the server must read back (TOTP keys) with AES-256-GCM under MFA_ENCRYPTION_KEY, so a copy of
 * the database alone does not yield working authenticator codes. Without a key, values are stored as given;
 * a sealed value then cannot be opened, and says so.
 */
export type SecretVault = { seal(plaintext: string): Promise<string>; open(stored: string): Promise<string> };

const PREFIX = "aes256gcm:";
const IV_BYTES = 12;

export function createSecretVault(keyHex: string | undefined): SecretVault {
  const key = keyHex
    ? crypto.subtle.importKey("raw", new Uint8Array(decodeHex(keyHex)), "AES-GCM", false, [
        "encrypt",
        "decrypt",
      ])
    : null;
  return {
    async seal(plaintext) {
      if (!key) return plaintext;
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await key, new TextEncoder().encode(plaintext)),
      );
      const joined = new Uint8Array(IV_BYTES + sealed.length);
      joined.set(iv);
      joined.set(sealed, IV_BYTES);
      return PREFIX + encodeBase64urlNoPadding(joined);
    },
    async open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      if (!key) throw new Error("a sealed secret is stored but MFA_ENCRYPTION_KEY is not set");
      const joined = new Uint8Array(decodeBase64urlIgnorePadding(stored.slice(PREFIX.length)));
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: joined.slice(0, IV_BYTES) },
        await key,
        joined.slice(IV_BYTES),
      );
      return new TextDecoder().decode(plain);
    },
  };
}

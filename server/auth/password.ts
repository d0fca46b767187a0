import { isCommonPassword } from "./common-passwords";

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** Null when the password is acceptable, otherwise the reason it is not, worded for the user. */
export function passwordWeakness(password: string, personal: string[] = []): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `Password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `Password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  }
  if (isCommonPassword(password)) return "Password is too common; choose one that is harder to guess";
  const lower = password.toLowerCase();
  if (personal.some((part) => part.length >= 4 && lower.includes(part.toLowerCase()))) {
    return "Password must not contain your name or email";
  }
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: "argon2id" });
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return Bun.password.verify(password, hash);
}

// Verifying against a real hash when the account does not exist keeps both answers equally slow.
let decoyHash: Promise<string> | null = null;
export function verifyAgainstDecoy(password: string): Promise<boolean> {
  decoyHash ??= hashPassword("decoy-password-for-timing");
  return decoyHash.then((hash) => verifyPassword(password, hash)).then(() => false);
}

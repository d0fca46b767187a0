import { describe, expect, it } from "bun:test";
import { hashPassword, passwordWeakness, verifyPassword } from "../../../server/auth/password";

describe("password policy", () => {
  it("refuses passwords shorter than 12 characters", () => {
    expect(passwordWeakness("short-pass1")).toContain("at least 12");
  });

  it("refuses common passwords padded to the length rule", () => {
    for (const common of [
      "password1234",
      "Password1234!",
      "123456789012",
      "qwertyuiopas",
      "aaaaaaaaaaaa",
      "monkeymonkey12",
    ]) {
      expect(passwordWeakness(common)).toContain("too common");
    }
  });

  it("refuses a password containing the user's name", () => {
    expect(passwordWeakness("margaret-is-great-99", ["Margaret"])).toContain("name");
  });

  it("accepts a long unusual passphrase", () => {
    expect(passwordWeakness("violet-harbour-lantern-42")).toBeNull();
  });
});

describe("password hashing", () => {
  it("stores argon2id hashes that verify only the original password", async () => {
    const hash = await hashPassword("violet-harbour-lantern-42");
    expect(hash.startsWith("$argon2id$")).toBe(true);
    expect(await verifyPassword("violet-harbour-lantern-42", hash)).toBe(true);
    expect(await verifyPassword("violet-harbour-lantern-43", hash)).toBe(false);
  });
});

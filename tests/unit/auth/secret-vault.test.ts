import { describe, expect, it } from "bun:test";
import { createSecretVault } from "../../../server/auth/secret-vault";

const KEY = "11".repeat(32);
const OWNER = "6f1d2c3e-0000-4000-8000-000000000001";

describe("secret vault", () => {
  it("seals a secret so the stored text does not contain it, and opens it again", async () => {
    const vault = createSecretVault(KEY);
    const sealed = await vault.seal("3132333435363738393031323334353637383930", OWNER);
    expect(sealed).toStartWith("sealed:v1:");
    expect(sealed).not.toContain("31323334");
    expect(await vault.open(sealed, OWNER)).toBe("3132333435363738393031323334353637383930");
  });

  it("seals the same secret differently each time", async () => {
    const vault = createSecretVault(KEY);
    expect(await vault.seal("same", OWNER)).not.toBe(await vault.seal("same", OWNER));
  });

  it("refuses a sealed value that was altered or sealed under another key", async () => {
    const sealed = await createSecretVault(KEY).seal("secret", OWNER);
    const altered = `${sealed.slice(0, -2)}${sealed.endsWith("AA") ? "BB" : "AA"}`;
    await expect(createSecretVault(KEY).open(altered, OWNER)).rejects.toThrow();
    await expect(createSecretVault("22".repeat(32)).open(sealed, OWNER)).rejects.toThrow();
  });

  it("binds a sealed value to its owner: copied onto another user it does not open", async () => {
    const vault = createSecretVault(KEY);
    const sealed = await vault.seal("secret", OWNER);
    await expect(vault.open(sealed, "6f1d2c3e-0000-4000-8000-000000000002")).rejects.toThrow();
  });

  it("refuses a value stored in the clear", async () => {
    await expect(
      createSecretVault(KEY).open("3132333435363738393031323334353637383930", OWNER),
    ).rejects.toThrow("not sealed");
  });

  it("digests codes under the key, per purpose, so a copy of the database cannot be searched offline", async () => {
    const vault = createSecretVault(KEY);
    const digest = await vault.digest("recovery-code", "ABCD");
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await vault.digest("recovery-code", "ABCD")).toBe(digest);
    expect(await vault.digest("one-time-code", "ABCD")).not.toBe(digest);
    expect(await createSecretVault("22".repeat(32)).digest("recovery-code", "ABCD")).not.toBe(digest);
    const plainSha256 = new Bun.CryptoHasher("sha256").update("ABCD").digest("hex");
    expect(digest).not.toBe(plainSha256);
  });

  it("refuses a key that is not 32 bytes of hex", () => {
    expect(() => createSecretVault("abc")).toThrow("64 hex");
  });
});

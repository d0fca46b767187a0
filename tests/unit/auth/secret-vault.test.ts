import { describe, expect, it } from "bun:test";
import { createSecretVault } from "../../../server/auth/secret-vault";

const KEY = "11".repeat(32);

describe("secret vault", () => {
  it("seals a secret so the stored text does not contain it, and opens it again", async () => {
    const vault = createSecretVault(KEY);
    const sealed = await vault.seal("3132333435363738393031323334353637383930");
    expect(sealed).toStartWith("aes256gcm:");
    expect(sealed).not.toContain("31323334");
    expect(await vault.open(sealed)).toBe("3132333435363738393031323334353637383930");
  });

  it("seals the same secret differently each time", async () => {
    const vault = createSecretVault(KEY);
    expect(await vault.seal("same")).not.toBe(await vault.seal("same"));
  });

  it("refuses a sealed value that was altered or sealed under another key", async () => {
    const sealed = await createSecretVault(KEY).seal("secret");
    const altered = `${sealed.slice(0, -2)}${sealed.endsWith("AA") ? "BB" : "AA"}`;
    await expect(createSecretVault(KEY).open(altered)).rejects.toThrow();
    await expect(createSecretVault("22".repeat(32)).open(sealed)).rejects.toThrow();
  });

  it("without a key stores values as given and cannot open sealed ones", async () => {
    const plain = createSecretVault(undefined);
    expect(await plain.seal("secret")).toBe("secret");
    expect(await plain.open("secret")).toBe("secret");
    const sealed = await createSecretVault(KEY).seal("secret");
    await expect(plain.open(sealed)).rejects.toThrow("MFA_ENCRYPTION_KEY");
  });
});

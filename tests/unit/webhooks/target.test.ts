import { describe, expect, it } from "bun:test";
import { retryDelayMs } from "../../../server/webhooks/settings";
import { checkTarget, isPrivateAddress, type Resolver } from "../../../server/webhooks/target";

const resolveTo =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("private addresses", () => {
  it.each([
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "not-an-address",
  ])("%s is private", (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(["93.184.215.14", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111"])("%s is public", (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe("checking a webhook target", () => {
  const strict = (resolve: Resolver) => ({ allowPrivate: false, resolve });

  it("returns the address to connect to, so the name is not resolved again", async () => {
    const check = await checkTarget("https://hooks.example.com/x", strict(resolveTo("93.184.215.14")));
    expect(check).toMatchObject({ ok: true, address: "93.184.215.14", family: 4 });
  });

  it("refuses a name with any private address among its answers", async () => {
    const check = await checkTarget(
      "https://hooks.example.com/x",
      strict(resolveTo("93.184.215.14", "10.0.0.2")),
    );
    expect(check.ok).toBe(false);
  });

  it("refuses a name that does not resolve, other schemes and credentials in the URL", async () => {
    const failing: Resolver = async () => {
      throw new Error("ENOTFOUND");
    };
    for (const url of [
      "https://nowhere.example/x",
      "ftp://example.com/x",
      "http://a:b@example.com/x",
      "::",
    ]) {
      expect((await checkTarget(url, strict(failing))).ok).toBe(false);
    }
  });

  it("allows private targets when told to", async () => {
    const check = await checkTarget("http://127.0.0.1:8080/x", { allowPrivate: true, resolve: resolveTo() });
    expect(check).toMatchObject({ ok: true, address: "127.0.0.1" });
  });
});

describe("retry backoff", () => {
  it("doubles from the base for each attempt made, up to an hour", () => {
    const settings = { retryBaseMs: 30_000, retryMaxMs: 3_600_000 };
    expect([1, 2, 3, 4, 8, 20].map((attempts) => retryDelayMs(settings, attempts))).toEqual([
      30_000, 60_000, 120_000, 240_000, 3_600_000, 3_600_000,
    ]);
  });
});

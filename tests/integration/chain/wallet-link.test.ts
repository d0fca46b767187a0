import { beforeAll, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { parseSiweMessage } from "viem/siwe";
import { auditLog } from "../../../db/schema";
import type { AppDeps } from "../../../server/context";
import { createWalletChallenge, siweSettings } from "../../../server/wallet/link";
import { callerFor, testDeps } from "../../helpers/app";
import { registerTestUser } from "../../helpers/users";

// No chain configured: linking is off-chain (a signature check), so it works without a node.
let deps: AppDeps;
beforeAll(async () => {
  deps = await testDeps({ SIWE_DOMAIN: "app.blockscore.test", SIWE_URI: "https://app.blockscore.test" });
});

const newWallet = () => privateKeyToAccount(generatePrivateKey());
type Caller = Awaited<ReturnType<typeof registerTestUser>>["caller"];

async function signedChallenge(caller: Caller, wallet: PrivateKeyAccount, signer = wallet) {
  const { message } = await caller.wallet.challenge({ address: wallet.address });
  return { message, signature: await signer.signMessage({ message }) };
}

describe("wallet linking with Sign-In with Ethereum", () => {
  test("a challenge is an EIP-4361 message for this server, with a one-time nonce and an expiry", async () => {
    const { caller } = await registerTestUser(deps);
    const wallet = newWallet();
    const first = await caller.wallet.challenge({ address: wallet.address });
    const second = await caller.wallet.challenge({ address: wallet.address });
    const fields = parseSiweMessage(first.message);
    expect(fields).toMatchObject({
      address: wallet.address,
      domain: "app.blockscore.test",
      uri: "https://app.blockscore.test",
      chainId: 1,
      version: "1",
    });
    expect(fields.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(parseSiweMessage(second.message).nonce).not.toBe(fields.nonce);
    expect(fields.expirationTime?.getTime()).toBe(first.expiresAt.getTime());
    expect(first.expiresAt.getTime() - (fields.issuedAt?.getTime() ?? 0)).toBe(300_000);
  });

  test("a real signature links the wallet with consent to anchor, audited", async () => {
    const { caller, user } = await registerTestUser(deps);
    const wallet = newWallet();
    const linked = await caller.wallet.link(await signedChallenge(caller, wallet));
    expect(linked).toEqual({ address: wallet.address, anchorConsent: true, linkedAt: expect.any(Date) });
    expect(await caller.wallet.get()).toEqual(linked);
    expect((await caller.profile.get()).profile.walletAddress).toBe(wallet.address.toLowerCase());
    const [entry] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, user.id), eq(auditLog.action, "wallet.link")));
    expect(entry?.details).toEqual({
      address: wallet.address.toLowerCase(),
      anchorConsent: true,
      previousAddress: null,
    });
  });

  test("consent can be declined: the wallet is linked, scores stay under a salted subject", async () => {
    const { caller } = await registerTestUser(deps);
    const wallet = newWallet();
    const linked = await caller.wallet.link({
      ...(await signedChallenge(caller, wallet)),
      anchorConsent: false,
    });
    expect(linked.anchorConsent).toBe(false);
  });

  test("a signature from another key is refused and links nothing", async () => {
    const { caller } = await registerTestUser(deps);
    const wallet = newWallet();
    const attempt = await signedChallenge(caller, wallet, newWallet());
    await expect(caller.wallet.link(attempt)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      cause: { code: "SIWE_SIGNATURE_INVALID" },
    });
    expect((await caller.wallet.get()).address).toBeNull();
  });

  test("a replayed challenge is refused", async () => {
    const { caller } = await registerTestUser(deps);
    const signed = await signedChallenge(caller, newWallet());
    await caller.wallet.link(signed);
    await expect(caller.wallet.link(signed)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      cause: { code: "SIWE_CHALLENGE_USED" },
    });
  });

  test("an expired challenge is refused", async () => {
    const { caller, user } = await registerTestUser(deps);
    const wallet = newWallet();
    const { message } = await createWalletChallenge(deps.db, siweSettings(deps.config), {
      userId: user.id,
      address: wallet.address,
      now: new Date(Date.now() - 301_000),
    });
    await expect(
      caller.wallet.link({ message, signature: await wallet.signMessage({ message }) }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", cause: { code: "SIWE_CHALLENGE_EXPIRED" } });
  });

  test("an address linked to another user is refused with a conflict", async () => {
    const first = await registerTestUser(deps);
    const second = await registerTestUser(deps);
    const wallet = newWallet();
    await first.caller.wallet.link(await signedChallenge(first.caller, wallet));
    await expect(
      second.caller.wallet.link(await signedChallenge(second.caller, wallet)),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { code: "WALLET_TAKEN" },
    });
    expect((await second.caller.wallet.get()).address).toBeNull();
  });

  test("another user's signed challenge cannot be used", async () => {
    const first = await registerTestUser(deps);
    const second = await registerTestUser(deps);
    const signed = await signedChallenge(first.caller, newWallet());
    await expect(second.caller.wallet.link(signed)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      cause: { code: "SIWE_CHALLENGE_UNKNOWN" },
    });
    expect((await first.caller.wallet.link(signed)).address).not.toBeNull();
  });

  test("a message edited after issue is refused, even when signed", async () => {
    const { caller } = await registerTestUser(deps);
    const wallet = newWallet();
    const { message } = await caller.wallet.challenge({ address: wallet.address });
    const forOtherSite = message.replace("app.blockscore.test wants", "evil.test wants");
    await expect(
      caller.wallet.link({
        message: forOtherSite,
        signature: await wallet.signMessage({ message: forOtherSite }),
      }),
    ).rejects.toMatchObject({ cause: { code: "SIWE_DOMAIN_MISMATCH" } });
    const reworded = message.replace("Link this wallet", "Link that wallet");
    await expect(
      caller.wallet.link({ message: reworded, signature: await wallet.signMessage({ message: reworded }) }),
    ).rejects.toMatchObject({ cause: { code: "SIWE_MESSAGE_ALTERED" } });
    await expect(
      caller.wallet.link({ message: "hello", signature: await wallet.signMessage({ message: "hello" }) }),
    ).rejects.toMatchObject({ cause: { code: "SIWE_MESSAGE_INVALID" } });
  });

  test("unlinking removes the wallet and the consent, audited; a second unlink is not found", async () => {
    const { caller, user } = await registerTestUser(deps);
    const wallet = newWallet();
    await caller.wallet.link(await signedChallenge(caller, wallet));
    expect(await caller.wallet.unlink()).toEqual({ success: true });
    expect(await caller.wallet.get()).toEqual({ address: null, anchorConsent: false, linkedAt: null });
    await expect(caller.wallet.unlink()).rejects.toMatchObject({ code: "NOT_FOUND" });
    const entries = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, user.id), eq(auditLog.action, "wallet.unlink")));
    expect(entries.map((e) => e.details)).toEqual([{ address: wallet.address.toLowerCase() }]);
    // the freed address can be linked again, by anyone
    const other = await registerTestUser(deps);
    expect((await other.caller.wallet.link(await signedChallenge(other.caller, wallet))).address).toBe(
      wallet.address,
    );
  });

  test("bad input is a 400 and anonymous callers are refused", async () => {
    const { caller } = await registerTestUser(deps);
    await expect(caller.wallet.challenge({ address: "0x123" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      caller.wallet.link({ message: "x", signature: "0xzz" as `0x${string}` }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const anonymous = await callerFor(deps);
    await expect(anonymous.wallet.challenge({ address: newWallet().address })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });
});

import { describe, expect, test } from "bun:test";
import { createTestClient, type Hex, http, parseEther, zeroAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { freePort } from "../../../contracts/anvil.ts";
import { loanRegistryAbi, scoreRegistryAbi } from "../../../contracts/artifacts.ts";
import { readWalletActivity } from "../../../server/chain/activity.ts";
import { createChainClients } from "../../../server/chain/clients.ts";
import { chainHealth } from "../../../server/chain/health.ts";
import { readLoan, readLoanEvents, recordLoanStatus } from "../../../server/chain/loan-registry.ts";
import {
  anchorScore,
  isScoreAnchored,
  readLatestScore,
  readScoreEvents,
} from "../../../server/chain/score-registry.ts";
import {
  loanIdHash,
  scoreRecordHash,
  subjectForUser,
  subjectForWallet,
} from "../../../server/chain/subject.ts";
import {
  ChainTransactionReverted,
  revertErrorName,
  sendAndConfirm,
} from "../../../server/chain/transactions.ts";
import { authoriseWriter, isWriter, revokeWriter } from "../../../server/chain/writer-access.ts";
import { useTestChain } from "../../helpers/anvil.ts";

const chain = useTestChain();
const salt = "test-salt-0123456789abcdef";

function record(userId: string, score: number, calculatedAt = new Date()) {
  return {
    subject: subjectForUser(userId, salt),
    score,
    recordHash: scoreRecordHash(
      { userId, score, modelVersion: "scorecard-v1", at: calculatedAt.getTime() },
      salt,
    ),
    modelVersion: "scorecard-v1",
    calculatedAt,
  };
}

const NO_VERSION = `0x${"00".repeat(32)}` as const;

async function expectRevert(promise: Promise<unknown>, errorName: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).not.toBeNull();
  expect(revertErrorName(error)).toBe(errorName);
}

describe("score registry", () => {
  test("a deployed registry is owned by the deployer, who is an authorised writer", async () => {
    const { clients, scoreRegistry } = chain();
    const owner = await clients.publicClient.readContract({
      address: scoreRegistry,
      abi: scoreRegistryAbi,
      functionName: "owner",
    });
    expect(owner).toBe(clients.account.address);
    expect(await isWriter(clients.publicClient, scoreRegistry, clients.account.address)).toBe(true);
  });

  test("an anchored score reads back with its record hash, model version and time", async () => {
    const { clients, scoreRegistry } = chain();
    const wallet = chain().anvil.accounts[5]?.address ?? zeroAddress;
    const params = { ...record("alice", 712), subject: subjectForWallet(wallet) };
    const sent: Hex[] = [];

    const result = await anchorScore(clients, scoreRegistry, params, {
      onSent: (hash) => void sent.push(hash),
    });

    if (result.alreadyAnchored || result.superseded) throw new Error("expected a new anchoring");
    expect(result.status).toBe("success");
    expect(result.gasUsed).toBeGreaterThan(0n);
    expect(sent).toEqual([result.txHash]);
    const onChain = await readLatestScore(clients.publicClient, scoreRegistry, params.subject);
    expect(onChain).toMatchObject({
      score: 712,
      recordHash: params.recordHash,
      modelVersion: "scorecard-v1",
      calculatedAt: params.calculatedAt,
    });
    expect(onChain?.anchoredAt).toBeInstanceOf(Date);
    expect(await isScoreAnchored(clients.publicClient, scoreRegistry, params.recordHash)).toBe(true);
    const events = await readScoreEvents(clients.publicClient, scoreRegistry, { subject: params.subject });
    expect(events.map((e) => [e.score, e.recordHash, e.txHash])).toEqual([
      [712, params.recordHash, result.txHash],
    ]);
  });

  test("a subject with nothing anchored reads as null", async () => {
    const { clients, scoreRegistry } = chain();
    expect(
      await readLatestScore(clients.publicClient, scoreRegistry, subjectForUser("nobody", salt)),
    ).toBeNull();
  });

  test("the same record twice: anchorScore sends nothing and the contract refuses it", async () => {
    const { clients, scoreRegistry } = chain();
    const params = record("bob", 640);
    const first = await anchorScore(clients, scoreRegistry, params);
    if (first.alreadyAnchored || first.superseded) throw new Error("expected a new anchoring");
    const nonce = await clients.publicClient.getTransactionCount({ address: clients.account.address });

    const second = await anchorScore(clients, scoreRegistry, params);

    expect(second).toEqual({
      alreadyAnchored: true,
      superseded: false,
      existing: { txHash: first.txHash, blockNumber: first.blockNumber },
    });
    expect(await clients.publicClient.getTransactionCount({ address: clients.account.address })).toBe(nonce);
    await expectRevert(
      clients.walletClient.writeContract({
        address: scoreRegistry,
        abi: scoreRegistryAbi,
        functionName: "anchorScore",
        args: [params.subject, 640, params.recordHash, NO_VERSION, BigInt(Date.now())],
      }),
      "AlreadyAnchored",
    );
    expect(
      await readScoreEvents(clients.publicClient, scoreRegistry, { recordHash: params.recordHash }),
    ).toHaveLength(1);
  });

  test("a transaction mined as reverted makes sendAndConfirm throw instead of reporting success", async () => {
    const { clients, scoreRegistry } = chain();
    const params = record("carol", 700);
    await anchorScore(clients, scoreRegistry, params);
    // Skip simulation and estimation (explicit gas) so the duplicate is mined and reverts.
    const hash = await clients.walletClient.writeContract({
      address: scoreRegistry,
      abi: scoreRegistryAbi,
      functionName: "anchorScore",
      args: [params.subject, 700, params.recordHash, NO_VERSION, BigInt(Date.now())],
      gas: 200_000n,
    });
    const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("reverted");
    const error = await sendAndConfirm(clients, () =>
      clients.walletClient.writeContract({
        address: scoreRegistry,
        abi: scoreRegistryAbi,
        functionName: "anchorScore",
        args: [params.subject, 700, params.recordHash, NO_VERSION, BigInt(Date.now())],
        gas: 200_000n,
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChainTransactionReverted);
  });

  test("concurrent anchorings from one signer in one process all land, with distinct nonces", async () => {
    const { clients, scoreRegistry } = chain();
    const params = Array.from({ length: 6 }, (_, i) => record(`concurrent-${i}`, 600 + i));

    const results = await Promise.all(params.map((p) => anchorScore(clients, scoreRegistry, p)));

    expect(results.every((r) => !r.alreadyAnchored && !r.superseded && r.status === "success")).toBe(true);
    for (const p of params) {
      expect((await readLatestScore(clients.publicClient, scoreRegistry, p.subject))?.score).toBe(p.score);
    }
  });

  test("with two confirmations, anchorScore returns once a second block is mined", async () => {
    const { clients, scoreRegistry, anvil } = chain();
    const testClient = createTestClient({ mode: "anvil", transport: http(anvil.rpcUrl) });
    const result = await anchorScore(clients, scoreRegistry, record("grace", 720), {
      confirmations: 2,
      timeoutMs: 5_000,
      onSent: () => void setTimeout(() => void testClient.mine({ blocks: 1 }), 100),
    });
    if (result.alreadyAnchored || result.superseded) throw new Error("expected a new anchoring");
    expect(await clients.publicClient.getBlockNumber({ cacheTime: 0 })).toBeGreaterThanOrEqual(
      result.blockNumber + 1n,
    );
  });

  test("scores outside 300–850 are refused", async () => {
    const { clients, scoreRegistry } = chain();
    await expectRevert(anchorScore(clients, scoreRegistry, record("dave", 299)), "InvalidScore");
    await expectRevert(anchorScore(clients, scoreRegistry, record("dave", 851)), "InvalidScore");
  });

  test("an older record over a newer one for the same subject is refused: the latest stays the latest", async () => {
    const { clients, scoreRegistry } = chain();
    const newer = record("henry", 780, new Date("2025-06-02T10:00:00Z"));
    const older = { ...record("henry", 610, new Date("2025-06-01T10:00:00Z")), subject: newer.subject };
    const anchored = await anchorScore(clients, scoreRegistry, newer);
    expect(anchored).toMatchObject({ alreadyAnchored: false, superseded: false, status: "success" });
    const nonce = await clients.publicClient.getTransactionCount({ address: clients.account.address });

    const refused = await anchorScore(clients, scoreRegistry, older);
    expect(refused).toEqual({
      alreadyAnchored: false,
      superseded: true,
      latestCalculatedAt: newer.calculatedAt,
    });
    expect(await clients.publicClient.getTransactionCount({ address: clients.account.address })).toBe(nonce);
    const direct = clients.walletClient.writeContract({
      address: scoreRegistry,
      abi: scoreRegistryAbi,
      functionName: "anchorScore",
      args: [older.subject, 610, older.recordHash, NO_VERSION, BigInt(older.calculatedAt.getTime())],
    });
    await expectRevert(direct, "StaleScore");
    // Same calculation time: not newer either.
    const sameTime = { ...record("henry", 700, newer.calculatedAt), subject: newer.subject };
    expect((await anchorScore(clients, scoreRegistry, sameTime)).superseded).toBe(true);
    await expectRevert(
      anchorScore(clients, scoreRegistry, record("ivy", 700, new Date(0))),
      "InvalidCalculatedAt",
    );

    const latest = await readLatestScore(clients.publicClient, scoreRegistry, newer.subject);
    expect(latest).toMatchObject({
      score: 780,
      recordHash: newer.recordHash,
      calculatedAt: newer.calculatedAt,
    });
    expect(
      await readScoreEvents(clients.publicClient, scoreRegistry, { subject: newer.subject }),
    ).toHaveLength(1);
  });

  test("a non-writer's write reverts with NotWriter", async () => {
    const { scoreRegistry } = chain();
    const stranger = chain().clientsFor(1);
    await expectRevert(anchorScore(stranger, scoreRegistry, record("erin", 700)), "NotWriter");
  });

  test("only the owner adds and removes writers", async () => {
    const { clients, scoreRegistry } = chain();
    const other = chain().clientsFor(2);
    const otherAddress = other.account.address;

    await expectRevert(authoriseWriter(other, scoreRegistry, otherAddress), "NotOwner");
    expect(await authoriseWriter(clients, scoreRegistry, otherAddress)).toEqual({ changed: true });
    expect(await authoriseWriter(clients, scoreRegistry, otherAddress)).toEqual({ changed: false });
    const anchored = await anchorScore(other, scoreRegistry, record("frank", 800));
    expect(anchored.alreadyAnchored).toBe(false);

    await expectRevert(revokeWriter(other, scoreRegistry, otherAddress), "NotOwner");
    expect(await revokeWriter(clients, scoreRegistry, otherAddress)).toEqual({ changed: true });
    await expectRevert(anchorScore(other, scoreRegistry, record("frank", 801)), "NotWriter");
  });
});

describe("loan registry", () => {
  test("a loan's events follow the workflow submitted → approved → disbursed → repaid", async () => {
    const { clients, loanRegistry } = chain();
    const id = loanIdHash("loan-1", salt);
    const loan = { loanIdHash: id, amountCents: 500_000n, termMonths: 12 };

    const results = [];
    for (const status of ["submitted", "approved", "disbursed", "repaid"] as const) {
      results.push(await recordLoanStatus(clients, loanRegistry, { ...loan, status }));
    }

    expect(results.map((r) => (r.skipped ? "skipped" : r.registered ? "registered" : "changed"))).toEqual([
      "registered",
      "changed",
      "changed",
      "changed",
    ]);
    const events = await readLoanEvents(clients.publicClient, loanRegistry, { loanIdHash: id });
    expect(
      events.map((e) =>
        e.kind === "registered" ? `registered ${e.amountCents}/${e.termMonths}` : `${e.from}→${e.to}`,
      ),
    ).toEqual([
      "registered 500000/12",
      "null→submitted",
      "submitted→approved",
      "approved→disbursed",
      "disbursed→repaid",
    ]);
    expect(await readLoan(clients.publicClient, loanRegistry, id)).toMatchObject({
      status: "repaid",
      amountCents: 500_000n,
      termMonths: 12,
      recordedStatuses: ["submitted", "approved", "disbursed", "repaid"],
    });
  });

  test("a retried status change sends nothing and the contract refuses it", async () => {
    const { clients, loanRegistry } = chain();
    const id = loanIdHash("loan-2", salt);
    const loan = { loanIdHash: id, amountCents: 100_000, termMonths: 6 };
    await recordLoanStatus(clients, loanRegistry, { ...loan, status: "submitted" });
    await recordLoanStatus(clients, loanRegistry, { ...loan, status: "approved" });

    expect(await recordLoanStatus(clients, loanRegistry, { ...loan, status: "approved" })).toEqual({
      skipped: true,
      chainStatus: "approved",
    });
    // Also a late retry of an earlier status: each status is recorded once per loan.
    expect(await recordLoanStatus(clients, loanRegistry, { ...loan, status: "submitted" })).toEqual({
      skipped: true,
      chainStatus: "approved",
    });
    await expectRevert(
      clients.walletClient.writeContract({
        address: loanRegistry,
        abi: loanRegistryAbi,
        functionName: "recordStatus",
        args: [id, 2],
      }),
      "AlreadyRecorded",
    );
    expect(await readLoanEvents(clients.publicClient, loanRegistry, { loanIdHash: id })).toHaveLength(3);
  });

  test("a loan first seen in a later status is registered with it", async () => {
    const { clients, loanRegistry } = chain();
    const id = loanIdHash("loan-3", salt);
    const result = await recordLoanStatus(clients, loanRegistry, {
      loanIdHash: id,
      amountCents: 250_000n,
      termMonths: 24,
      status: "rejected",
    });
    expect(result).toMatchObject({ skipped: false, registered: true });
    expect((await readLoan(clients.publicClient, loanRegistry, id))?.status).toBe("rejected");
  });

  test("a non-writer cannot register a loan", async () => {
    const { loanRegistry } = chain();
    const stranger = chain().clientsFor(3);
    await expectRevert(
      recordLoanStatus(stranger, loanRegistry, {
        loanIdHash: loanIdHash("loan-4", salt),
        amountCents: 1n,
        termMonths: 1,
        status: "submitted",
      }),
      "NotWriter",
    );
  });
});

describe("wallet activity", () => {
  test("a funded account that sent transactions has a balance, a count and an age in days", async () => {
    const sender = chain().clientsFor(4);
    const testClient = createTestClient({ mode: "anvil", transport: http(chain().anvil.rpcUrl) });
    for (let i = 0; i < 3; i++) {
      const hash = await sender.walletClient.sendTransaction({ to: zeroAddress, value: parseEther("1") });
      await sender.publicClient.waitForTransactionReceipt({ hash });
    }
    await testClient.increaseTime({ seconds: 3 * 86_400 + 60 });
    await testClient.mine({ blocks: 1 });

    const activity = await readWalletActivity(sender.publicClient, sender.account.address);

    expect(activity.txCount).toBe(3);
    expect(activity.balanceWei).toBeGreaterThan(parseEther("9000"));
    expect(activity.balanceWei).toBeLessThan(parseEther("9997"));
    expect(activity.ageDays).toBe(3);
  });

  test("a fresh address has no balance, no transactions and no age", async () => {
    const fresh = privateKeyToAccount(generatePrivateKey()).address;
    expect(await readWalletActivity(chain().clients.publicClient, fresh)).toEqual({
      balanceWei: 0n,
      txCount: 0,
      ageDays: null,
    });
  });
});

describe("chain health", () => {
  test("a live node with both contracts is reachable and reports the signer's balance", async () => {
    const { clients, scoreRegistry, loanRegistry } = chain();
    const health = await chainHealth(clients, { scoreRegistry, loanRegistry });
    expect(health).toMatchObject({
      reachable: true,
      chainId: 31337,
      signerAddress: clients.account.address,
      contracts: { scoreRegistry: true, loanRegistry: true },
    });
    expect(health.error).toBeUndefined();
    expect(BigInt(health.signerBalanceWei ?? "0")).toBeGreaterThan(0n);
  });

  test("an address without a contract is reported, with the reason", async () => {
    const { clients, scoreRegistry } = chain();
    const health = await chainHealth(clients, { scoreRegistry, loanRegistry: zeroAddress });
    expect(health.reachable).toBe(true);
    expect(health.contracts).toEqual({ scoreRegistry: true, loanRegistry: false, auditAnchor: null });
    expect(health.error).toContain("loan registry");
  });

  test("a dead port is unreachable, answered quickly and without throwing", async () => {
    const port = await freePort();
    const clients = createChainClients({
      rpcUrl: `http://127.0.0.1:${port}`,
      chainId: 31337,
      signerKey: generatePrivateKey(),
    });
    const started = Date.now();
    const health = await chainHealth(
      clients,
      { scoreRegistry: zeroAddress, loanRegistry: zeroAddress },
      { timeoutMs: 1_000 },
    );
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(health).toMatchObject({ reachable: false, chainId: null, signerBalanceWei: null });
    expect(health.error).toBeString();
  });
});

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createTestClient, type Hex, http, parseEther } from "viem";
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { type ChainTransaction, chainSubjects, chainTransactions, scoreAnchors } from "../../../db/schema";
import { createChainService } from "../../../server/chain/connection";
import { readLoanEvents } from "../../../server/chain/loan-registry";
import {
  enqueueLoanStatusAnchor,
  enqueueScoreAnchor,
  type ScoreAnchorParams,
} from "../../../server/chain/outbox";
import { readLatestScore, readScoreEvents } from "../../../server/chain/score-registry";
import { loanIdHash, subjectForUser, subjectForWallet } from "../../../server/chain/subject";
import { walletActivityForUser } from "../../../server/chain/wallet-activity";
import { useTestChain } from "../../helpers/anvil";
import { callerFor } from "../../helpers/app";
import { type ChainApp, startChainApp, waitFor } from "../../helpers/chain";
import { FULL_PROFILE } from "../../helpers/credit";
import { registerTestUser } from "../../helpers/users";

const chain = useTestChain();
let app: ChainApp;

beforeAll(async () => {
  app = await startChainApp(chain(), { overrides: { CHAIN_RECEIPT_TIMEOUT_MS: "3000" } });
});
afterAll(async () => {
  await app?.stop();
});

type Caller = Awaited<ReturnType<typeof registerTestUser>>["caller"];

function scoreParams(userId: string, score: number): ScoreAnchorParams {
  return {
    scoreId: crypto.randomUUID(),
    userId,
    score,
    modelVersion: "scorecard-v1",
    calculatedAt: new Date(),
    record: {
      reasons: ["PAYMENT_HISTORY", "UTILIZATION"],
      inputs: { annualIncomeCents: 6_400_000n, openCreditLines: 7 },
      calculatedAt: new Date(),
    },
  };
}

async function queueScore(params: ScoreAnchorParams) {
  const result = await app.deps.db.transaction((tx) => enqueueScoreAnchor(app.deps, tx, params));
  if (!result.queued) throw new Error(result.reason);
  return result.transactionId;
}

async function transaction(id: string): Promise<ChainTransaction | undefined> {
  const [row] = await app.deps.db.select().from(chainTransactions).where(eq(chainTransactions.id, id));
  return row;
}

const confirmed = (id: string) =>
  waitFor(`chain transaction ${id} to be confirmed`, async () => {
    const row = await transaction(id);
    return row?.status === "confirmed" ? row : undefined;
  });

async function linkWallet(caller: Caller, wallet: PrivateKeyAccount, anchorConsent = true) {
  const { message } = await caller.wallet.challenge({ address: wallet.address });
  return caller.wallet.link({ message, signature: await wallet.signMessage({ message }), anchorConsent });
}

async function saltOf(userId: string): Promise<string> {
  const [row] = await app.deps.db.select().from(chainSubjects).where(eq(chainSubjects.userId, userId));
  if (!row) throw new Error("no subject salt");
  return row.salt;
}

describe("anchoring scores through the outbox", () => {
  test("a score queued with its transaction is anchored; the registry, verify and the listing agree", async () => {
    const { user, caller } = await registerTestUser(app.deps);
    const params = scoreParams(user.id, 712);
    const id = await queueScore(params);

    const row = await confirmed(id);
    expect(row).toMatchObject({ kind: "score_anchor", referenceId: params.scoreId, lastError: null });
    expect(row.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(row.gasUsed).toBeGreaterThan(0);
    const subject = subjectForUser(user.id, await saltOf(user.id));
    const [anchor] = await app.deps.db
      .select()
      .from(scoreAnchors)
      .where(eq(scoreAnchors.scoreId, params.scoreId));
    const onChain = await readLatestScore(chain().clients.publicClient, chain().scoreRegistry, subject);
    expect(onChain).toMatchObject({
      score: 712,
      modelVersion: "scorecard-v1",
      recordHash: anchor?.recordHash,
    });

    const verified = await caller.chain.verify({ scoreId: params.scoreId });
    expect(verified).toMatchObject({
      scoreId: params.scoreId,
      recordHash: anchor?.recordHash,
      recordIntact: true,
      anchored: true,
      matches: true,
      onChain: { subject, score: 712, modelVersion: "scorecard-v1", txHash: row.txHash, latest: true },
    });
    const listed = await caller.chain.transactions({});
    expect(listed.items).toEqual([
      expect.objectContaining({
        id,
        kind: "score_anchor",
        status: "confirmed",
        txHash: row.txHash,
        summary: { score: 712, modelVersion: "scorecard-v1" },
      }),
    ]);
    expect(listed.nextCursor).toBeNull();
  });

  test("a consenting linked wallet is the subject, readable by anyone; without consent it stays salted", async () => {
    const consenting = await registerTestUser(app.deps);
    const wallet = privateKeyToAccount(generatePrivateKey());
    expect((await linkWallet(consenting.caller, wallet)).anchorConsent).toBe(true);
    await confirmed(await queueScore(scoreParams(consenting.user.id, 801)));

    const anonymous = await callerFor(app.deps);
    const read = await anonymous.chain.score({ address: wallet.address.toLowerCase() });
    expect(read).toMatchObject({ address: wallet.address, subject: subjectForWallet(wallet.address) });
    expect(read.score).toMatchObject({ score: 801, modelVersion: "scorecard-v1" });

    const declining = await registerTestUser(app.deps);
    const private_ = privateKeyToAccount(generatePrivateKey());
    await linkWallet(declining.caller, private_, false);
    await confirmed(await queueScore(scoreParams(declining.user.id, 640)));
    expect((await anonymous.chain.score({ address: private_.address })).score).toBeNull();
    const salted = subjectForUser(declining.user.id, await saltOf(declining.user.id));
    expect((await readLatestScore(chain().clients.publicClient, chain().scoreRegistry, salted))?.score).toBe(
      640,
    );
  });

  test("a calculated score is anchored for a user who consented, and nothing is queued for anyone else", async () => {
    const consenting = await registerTestUser(app.deps);
    await linkWallet(consenting.caller, privateKeyToAccount(generatePrivateKey()));
    await consenting.caller.profile.update(FULL_PROFILE);
    const score = await consenting.caller.credit.calculateScore();
    const anchored = await waitFor("the calculated score's anchor", async () => {
      const [row] = await app.deps.db
        .select()
        .from(chainTransactions)
        .where(eq(chainTransactions.referenceId, score.id));
      return row?.status === "confirmed" ? row : undefined;
    });
    expect(anchored.summary).toEqual({ score: score.score, modelVersion: score.modelVersion });
    expect((await consenting.caller.chain.verify({ scoreId: score.id })).matches).toBe(true);

    const silent = await registerTestUser(app.deps);
    await silent.caller.profile.update(FULL_PROFILE);
    const unanchored = await silent.caller.credit.calculateScore();
    const rows = await app.deps.db
      .select()
      .from(chainTransactions)
      .where(eq(chainTransactions.referenceId, unanchored.id));
    expect(rows).toEqual([]);
  });

  test("queueing the same score twice queues it once", async () => {
    const { user } = await registerTestUser(app.deps);
    const params = scoreParams(user.id, 690);
    const first = await queueScore(params);
    expect(await queueScore(params)).toBe(first);
    await confirmed(first);
    const rows = await app.deps.db
      .select()
      .from(chainTransactions)
      .where(eq(chainTransactions.referenceId, params.scoreId));
    expect(rows).toHaveLength(1);
  });

  test("a rolled-back transaction enqueues nothing and stores nothing", async () => {
    const { user } = await registerTestUser(app.deps);
    const params = scoreParams(user.id, 655);
    let transactionId = "";
    const error = await app.deps.db
      .transaction(async (tx) => {
        const result = await enqueueScoreAnchor(app.deps, tx, params);
        if (result.queued) transactionId = result.transactionId;
        throw new Error("the score write failed after the enqueue");
      })
      .catch((e: Error) => e.message);
    expect(error).toBe("the score write failed after the enqueue");
    expect(transactionId).not.toBe("");
    await Bun.sleep(1_500); // longer than a poll: a committed job would have been fetched by now
    expect(await app.deps.jobs.boss.findJobs(app.deps.chain.publishQueue, { id: transactionId })).toEqual([]);
    expect(await transaction(transactionId)).toBeUndefined();
    expect(
      await app.deps.db.select().from(scoreAnchors).where(eq(scoreAnchors.scoreId, params.scoreId)),
    ).toEqual([]);
    // nothing reached the chain for this user: their salt was rolled back with the rest
    expect(await app.deps.db.select().from(chainSubjects).where(eq(chainSubjects.userId, user.id))).toEqual(
      [],
    );
  });

  test("verify finds only the caller's own scores and notices a stored record edited afterwards", async () => {
    const owner = await registerTestUser(app.deps);
    const other = await registerTestUser(app.deps);
    const params = scoreParams(owner.user.id, 733);
    await confirmed(await queueScore(params));
    await expect(other.caller.chain.verify({ scoreId: params.scoreId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(owner.caller.chain.verify({ scoreId: crypto.randomUUID() })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });

    const [anchor] = await app.deps.db
      .select()
      .from(scoreAnchors)
      .where(eq(scoreAnchors.scoreId, params.scoreId));
    await app.deps.db
      .update(scoreAnchors)
      .set({ record: { ...anchor?.record, score: 850 } })
      .where(eq(scoreAnchors.scoreId, params.scoreId));
    expect(await owner.caller.chain.verify({ scoreId: params.scoreId })).toMatchObject({
      recordIntact: false,
      anchored: false,
      onChain: null,
      matches: false,
    });
  });

  test("a receipt timeout followed by retries publishes the record once", async () => {
    const { user } = await registerTestUser(app.deps);
    const params = scoreParams(user.id, 777);
    const testClient = createTestClient({ mode: "anvil", transport: http(chain().anvil.rpcUrl) });
    await testClient.setAutomine(false);
    let firstSend: ChainTransaction;
    try {
      const id = await queueScore(params);
      // the first send waits for a receipt that does not come and times out; retries follow
      firstSend = await waitFor("retries while the first send is still pending", async () => {
        const row = await transaction(id);
        return row && row.status === "pending" && row.attempts >= 3 ? row : undefined;
      });
      // the retries read the chain (the node refuses to estimate a duplicate) and sent nothing new
      expect((await testClient.getTxpoolStatus()).pending).toBe(1);
    } finally {
      await testClient.setAutomine(true);
      await testClient.mine({ blocks: 1 });
    }
    const row = await confirmed(firstSend.id);
    const [anchor] = await app.deps.db
      .select()
      .from(scoreAnchors)
      .where(eq(scoreAnchors.scoreId, params.scoreId));
    const events = await readScoreEvents(chain().clients.publicClient, chain().scoreRegistry, {
      recordHash: anchor?.recordHash as Hex,
    });
    expect(events.map((e) => e.txHash)).toEqual([firstSend.txHash as Hex]);
    expect(row.txHash).toBe(firstSend.txHash);
  });
});

describe("anchoring loan statuses through the outbox", () => {
  test("the registry's events follow the statuses in the order they were queued", async () => {
    const { user, caller } = await registerTestUser(app.deps);
    const loanId = crypto.randomUUID();
    const ids: string[] = [];
    for (const status of ["submitted", "approved", "disbursed", "repaid"] as const) {
      const result = await app.deps.db.transaction((tx) =>
        enqueueLoanStatusAnchor(app.deps, tx, {
          loanId,
          userId: user.id,
          amountCents: 250_000,
          termMonths: 12,
          status,
        }),
      );
      if (!result.queued) throw new Error(result.reason);
      ids.push(result.transactionId);
    }
    for (const id of ids) await confirmed(id);

    const idHash = loanIdHash(loanId, await saltOf(user.id));
    const events = await readLoanEvents(chain().clients.publicClient, chain().loanRegistry, {
      loanIdHash: idHash,
    });
    expect(
      events.map((e) => (e.kind === "registered" ? `registered ${e.amountCents}/${e.termMonths}` : e.to)),
    ).toEqual(["registered 250000/12", "submitted", "approved", "disbursed", "repaid"]);
    const listed = await caller.chain.transactions({ limit: 3 });
    expect(listed.items.map((t) => t.summary.status)).toEqual(["repaid", "disbursed", "approved"]);
    expect(listed.items.every((t) => t.status === "confirmed")).toBe(true);
    const rest = await caller.chain.transactions({ limit: 3, cursor: listed.nextCursor ?? undefined });
    expect(rest).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
  });
});

describe("on-chain activity for scoring", () => {
  test("a linked wallet's transaction count, age and balance are read; no wallet, no consent or no node is null", async () => {
    const { user, caller } = await registerTestUser(app.deps);
    expect(await walletActivityForUser(app.deps, user.id)).toBeNull();

    const dev = chain().anvil.accounts[3];
    if (!dev) throw new Error("no dev account 3");
    const { walletClient, publicClient } = chain().clientsFor(3);
    const hash = await walletClient.sendTransaction({
      to: chain().anvil.accounts[4]?.address,
      value: parseEther("1"),
    });
    await publicClient.waitForTransactionReceipt({ hash });
    await linkWallet(caller, privateKeyToAccount(dev.privateKey));

    const activity = await walletActivityForUser(app.deps, user.id);
    expect(activity).toMatchObject({ walletAgeDays: 0, walletTxCount: 1 });
    expect(BigInt(activity?.walletBalanceWei ?? "0")).toBeGreaterThan(0n);

    // Without the consent the wallet is not read for scoring.
    const private_ = await registerTestUser(app.deps);
    const other = chain().anvil.accounts[6];
    if (!other) throw new Error("no dev account 6");
    await linkWallet(private_.caller, privateKeyToAccount(other.privateKey), false);
    expect(await walletActivityForUser(app.deps, private_.user.id)).toBeNull();

    const deadNode = createChainService({ ...app.deps.config, CHAIN_RPC_URL: "http://127.0.0.1:9" });
    const startedAt = performance.now();
    expect(
      await walletActivityForUser({ db: app.deps.db, chain: deadNode }, user.id, { timeoutMs: 500 }),
    ).toBeNull();
    expect(performance.now() - startedAt).toBeLessThan(2_000);
  });
});

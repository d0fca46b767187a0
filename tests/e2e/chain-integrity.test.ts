/**
 * Finding 6, on a real Anvil and over HTTP: a redriven old score cannot become "latest" again; scores
 * calculated before a wallet was linked, or while no chain was configured, are anchored later (the latest only);
 * a wallet is read for scoring only with the anchoring consent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import type { PrivateKeyAccount } from "viem/accounts";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { DatabaseConnection } from "../../db/client";
import { chainTransactions, creditScores } from "../../db/schema";
import type { Outbox, PublishJob } from "../../server/chain/outbox";
import { anchorConsentedScore } from "../../server/chain/outbox";
import { readLatestScore, readScoreEvents } from "../../server/chain/score-registry";
import { subjectForWallet } from "../../server/chain/subject";
import { calculateScore } from "../../server/credit/scoring";
import type { Jobs } from "../../server/jobs/jobs";
import { profileLimits } from "../../server/profile/limits";
import { useTestChain } from "../helpers/anvil";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { type ChainApp, startChainApp, waitFor } from "../helpers/chain";
import { FULL_PROFILE } from "../helpers/credit";
import { createTestDatabase } from "../helpers/database";
import { restClient } from "../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

const chain = useTestChain();

type Rest = ReturnType<typeof restClient>;

async function signUp(rest: Rest) {
  const { body } = await rest("POST", "/auth/register", {
    body: { email: uniqueEmail("anchor"), password: TEST_PASSWORD, name: "Chain User" },
  });
  const token = body.token as string;
  expect((await rest("PATCH", "/profile", { token, body: FULL_PROFILE })).status).toBe(200);
  return { token, id: body.user.id as string };
}

async function link(rest: Rest, token: string, wallet: PrivateKeyAccount, anchorConsent: boolean) {
  const { body } = await rest("POST", "/wallet/challenge", { token, body: { address: wallet.address } });
  const signature = await wallet.signMessage({ message: body.message });
  const linked = await rest("POST", "/wallet/link", {
    token,
    body: { message: body.message, signature, anchorConsent },
  });
  expect(linked.status).toBe(200);
}

async function calculate(rest: Rest, token: string) {
  const { status, body } = await rest("POST", "/credit/calculate-score", { token });
  expect(status).toBe(200);
  return body as { id: string; score: number; calculatedAt: string };
}

const anchorRows = (app: ChainApp, scoreId: string) =>
  app.deps.db
    .select()
    .from(chainTransactions)
    .where(and(eq(chainTransactions.kind, "score_anchor"), eq(chainTransactions.referenceId, scoreId)));

const settled = (app: ChainApp, scoreId: string, status: "confirmed" | "superseded") =>
  waitFor(`the anchor of ${scoreId} to be ${status}`, async () => {
    const [row] = await anchorRows(app, scoreId);
    return row?.status === status ? row : undefined;
  });

describe("finding 6: chain order and consent", () => {
  let app: ChainApp;
  let server: TestServer;
  let rest: Rest;

  beforeAll(async () => {
    app = await startChainApp(chain());
    server = await startTestServer(app.deps);
    rest = restClient(server.url);
  });
  afterAll(async () => {
    await server?.stop();
    await app?.stop();
  });

  test("an old score redriven after a newer one was published is refused; the newer stays latest", async () => {
    const user = await signUp(rest);
    const wallet = privateKeyToAccount(generatePrivateKey());
    await link(rest, user.token, wallet, true);
    const subject = subjectForWallet(wallet.address);

    // The first score's publication is held back (its job captured instead of queued) and counted as
    // dead-lettered, as after a long outage: later writes to the subject no longer wait for it.
    const captured: { id: string; data: PublishJob }[] = [];
    const holding: Outbox = {
      chain: app.deps.chain,
      jobs: {
        send: async (_tx: unknown, _queue: string, data: PublishJob, options: { id: string }) => {
          captured.push({ id: options.id, data });
          return options.id;
        },
      } as unknown as Jobs,
    };
    const scoring = {
      scoring: app.deps.scoring,
      limits: profileLimits(app.deps.config),
      now: new Date(Date.now() - 3_600_000),
    };
    const meta = { actorId: user.id, ip: null, requestId: "test:old-score" };
    const old = await calculateScore(app.deps.db, scoring, meta, user.id);
    const [oldRow] = await app.deps.db.select().from(creditScores).where(eq(creditScores.id, old.id));
    if (!oldRow) throw new Error("no old score");
    await app.deps.db.transaction((tx) => anchorConsentedScore(holding, tx, oldRow));
    const [held] = captured;
    if (!held) throw new Error("the old score's job was not captured");
    await app.deps.db
      .update(chainTransactions)
      .set({ status: "failed", lastError: "dead-lettered in the test" })
      .where(eq(chainTransactions.id, held.id));

    const newer = await calculate(rest, user.token);
    await settled(app, newer.id, "confirmed");
    const published = await rest("GET", `/chain/score/${wallet.address}`);
    expect(published.body.score).toMatchObject({ score: newer.score });

    // An operator redrives the dead-lettered job.
    await app.deps.jobs.boss.send(app.deps.chain.publishQueue, held.data, { id: held.id });
    const superseded = await settled(app, oldRow.id, "superseded");
    expect(superseded.lastError).toContain("newer score");
    expect(superseded.txHash).toBeNull();

    const after = await rest("GET", `/chain/score/${wallet.address}`);
    expect(after.body.score).toMatchObject({ score: newer.score, calculatedAt: newer.calculatedAt });
    const events = await readScoreEvents(chain().clients.publicClient, chain().scoreRegistry, { subject });
    expect(events.map((event) => event.score)).toEqual([newer.score]);
    const listed = await rest("GET", "/chain/transactions", { token: user.token });
    expect(listed.body.items.map((item: { status: string }) => item.status).sort()).toEqual([
      "confirmed",
      "superseded",
    ]);
  });

  test("linking a wallet with consent after scoring anchors the latest score, not the history", async () => {
    const user = await signUp(rest);
    const first = await calculate(rest, user.token);
    const second = await calculate(rest, user.token);
    expect(await anchorRows(app, second.id)).toEqual([]);

    const wallet = privateKeyToAccount(generatePrivateKey());
    await link(rest, user.token, wallet, true);
    await settled(app, second.id, "confirmed");
    expect(await anchorRows(app, first.id)).toEqual([]);
    const onChain = await rest("GET", `/chain/score/${wallet.address}`);
    expect(onChain.body.score).toMatchObject({ score: second.score });
  });

  test("linking without consent anchors nothing and does not read the wallet for scoring", async () => {
    const user = await signUp(rest);
    const dev = chain().anvil.accounts[7];
    if (!dev) throw new Error("no dev account 7");
    await link(rest, user.token, privateKeyToAccount(dev.privateKey), false);
    const score = await calculate(rest, user.token);
    expect(await anchorRows(app, score.id)).toEqual([]);
    const [stored] = await app.deps.db.select().from(creditScores).where(eq(creditScores.id, score.id));
    expect(stored?.inputs).toMatchObject({ walletAgeDays: null, walletTxCount: null });
  });
});

describe("finding 6: scores calculated while no chain was configured", () => {
  let connection: DatabaseConnection;
  let later: ChainApp | undefined;

  beforeAll(async () => {
    connection = await createTestDatabase();
  });
  afterAll(async () => {
    await later?.stop();
    await connection?.close();
  });

  test("configuring a chain later anchors each consenting user's latest score, once", async () => {
    const offChain = await testDeps({}, { connection });
    const server = await startTestServer(offChain);
    const rest = restClient(server.url);
    const wallet = privateKeyToAccount(generatePrivateKey());
    let first: { id: string };
    let second: { id: string; score: number };
    let silentScore: { id: string };
    try {
      const user = await signUp(rest);
      await link(rest, user.token, wallet, true);
      first = await calculate(rest, user.token);
      second = await calculate(rest, user.token);
      const silent = await signUp(rest);
      silentScore = await calculate(rest, silent.token);
    } finally {
      await server.stop();
    }

    later = await startChainApp(chain(), { connection });
    await settled(later, second.id, "confirmed");
    expect(await anchorRows(later, first.id)).toEqual([]);
    expect(await anchorRows(later, silentScore.id)).toEqual([]);
    const latest = await readLatestScore(
      chain().clients.publicClient,
      chain().scoreRegistry,
      subjectForWallet(wallet.address),
    );
    expect(latest?.score).toBe(second.score);

    // A second instance starting on the same database queues nothing again.
    const again = await startChainApp(chain(), { connection });
    await again.stop();
    expect(await anchorRows(later, second.id)).toHaveLength(1);
  });
});

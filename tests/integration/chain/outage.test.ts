import { describe, expect, test } from "bun:test";
import { inArray } from "drizzle-orm";
import type { Hex } from "viem";
import { connectDatabase } from "../../../db/client";
import { chainTransactions, scoreAnchors } from "../../../db/schema";
import { enqueueScoreAnchor } from "../../../server/chain/outbox";
import { readLatestScore, readScoreEvents } from "../../../server/chain/score-registry";
import { useTestChain } from "../../helpers/anvil";
import { type ChainApp, startChainApp, waitFor } from "../../helpers/chain";
import { createTestDatabase, testDatabaseUrl } from "../../helpers/database";
import { registerTestUser } from "../../helpers/users";

const chain = useTestChain();

/** Queues `count` scores spread over the apps (instances) and over `users`, a score per transaction. */
async function queueScores(apps: ChainApp[], users: { id: string }[], count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const app = apps[i % apps.length] as ChainApp;
    const user = users[i % users.length] as { id: string };
    const result = await app.deps.db.transaction((tx) =>
      enqueueScoreAnchor(app.deps, tx, {
        scoreId: crypto.randomUUID(),
        userId: user.id,
        score: 600 + i,
        modelVersion: "scorecard-v1",
        // Later scores are calculated later: the registry keeps a subject's newest as its latest.
        calculatedAt: new Date(Date.now() + i),
        record: { sequence: i, calculatedAt: new Date() },
      }),
    );
    if (!result.queued) throw new Error(result.reason);
    ids.push(result.transactionId);
  }
  return ids;
}

/**
 * Stops the node, queues scores, waits until the workers have failed against the dead node, starts the
 * node again from its saved state, and waits for every score to be confirmed. Then counts the
 * registry's events: exactly one per queued record, none extra.
 */
async function outageScenario(apps: ChainApp[], count: number) {
  const [first] = apps;
  if (!first) throw new Error("no app");
  const users = [];
  for (let i = 0; i < 3; i++) users.push((await registerTestUser(first.deps)).user);
  const fromBlock = (await chain().clients.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;

  await chain().anvil.stop();
  const ids = await queueScores(apps, users, count);
  await waitFor("the workers to fail against the stopped node", async () => {
    const rows = await first.deps.db
      .select()
      .from(chainTransactions)
      .where(inArray(chainTransactions.id, ids));
    return rows.filter((row) => row.lastError !== null).length >= Math.min(3, count);
  });
  await chain().restart();

  const rows = await waitFor(
    "every queued score to be confirmed",
    async () => {
      const current = await first.deps.db
        .select()
        .from(chainTransactions)
        .where(inArray(chainTransactions.id, ids));
      return current.every((row) => row.status === "confirmed") ? current : undefined;
    },
    60_000,
  );
  const anchors = await first.deps.db
    .select()
    .from(scoreAnchors)
    .where(inArray(scoreAnchors.transactionId, ids));
  const events = await readScoreEvents(chain().clients.publicClient, chain().scoreRegistry, { fromBlock });
  const queuedHashes = anchors.map((a) => a.recordHash).sort();
  expect(events.map((e) => e.recordHash).sort()).toEqual(queuedHashes as Hex[]);
  expect(new Set(events.map((e) => e.txHash)).size).toBe(count);
  expect(rows.every((row) => row.txHash && events.some((e) => e.txHash === row.txHash))).toBe(true);

  // every job completed once; the last score queued for each subject is its latest on chain
  const jobs = (
    await Promise.all(ids.map((id) => first.deps.jobs.boss.findJobs(first.deps.chain.publishQueue, { id })))
  ).flat();
  expect(jobs.map((job) => job.state)).toEqual(ids.map(() => "completed"));
  for (const user of users) {
    const mine = anchors.filter((a) => a.userId === user.id).sort((a, b) => a.score - b.score);
    const last = mine.at(-1);
    if (!last) continue;
    const latest = await readLatestScore(
      chain().clients.publicClient,
      chain().scoreRegistry,
      last.subject as Hex,
    );
    expect(latest?.recordHash).toBe(last.recordHash as Hex);
  }
  return jobs;
}

describe("a chain outage delays anchoring and loses nothing", () => {
  test("scores queued while the node is down are each published exactly once after it restarts", async () => {
    const app = await startChainApp(chain());
    try {
      await outageScenario([app], 6);
    } finally {
      await app.stop();
    }
  }, 90_000);

  // PGlite is one in-process connection: a second instance cannot open the same database, so the
  // two-instance run needs a real Postgres (TEST_DATABASE_URL).
  test.skipIf(!testDatabaseUrl)(
    "two instances working one Postgres publish every record exactly once, one job at a time",
    async () => {
      const connection = await createTestDatabase();
      if (connection.driver !== "postgres") throw new Error("needs Postgres");
      const secondConnection = await connectDatabase({ url: connection.url });
      const first = await startChainApp(chain(), { connection });
      const second = await startChainApp(chain(), { connection: secondConnection });
      try {
        const jobs = await outageScenario([first, second], 8);
        // the singleton queue let one job run at a time across both instances: no two runs overlap
        const runs = jobs
          .map((job) => [job.startedOn?.getTime() ?? 0, job.completedOn?.getTime() ?? 0] as const)
          .sort((a, b) => a[0] - b[0]);
        for (let i = 1; i < runs.length; i++) {
          expect(runs[i]?.[0] ?? 0).toBeGreaterThanOrEqual(runs[i - 1]?.[1] ?? 0);
        }
      } finally {
        await first.stop();
        await second.stop();
        await secondConnection.close();
        await connection.close();
      }
    },
    90_000,
  );
});

import { describe, expect, test } from "bun:test";
import { createWalletClient, getAddress, http } from "viem";
import { isPortFree } from "../../../contracts/anvil.ts";
import { anchorScore, readLatestScore, readScoreEvents } from "../../../server/chain/score-registry.ts";
import { scoreRecordHash, subjectForUser } from "../../../server/chain/subject.ts";
import { useTestChain } from "../../helpers/anvil.ts";

const chain = useTestChain({ chainId: 31337 });
const salt = "anvil-test-salt-0123456789";

describe("local anvil", () => {
  test("the known dev accounts are the node's own accounts", async () => {
    const { anvil } = chain();
    const nodeAccounts = await createWalletClient({ transport: http(anvil.rpcUrl) }).getAddresses();
    expect(nodeAccounts.map((a) => getAddress(a))).toEqual(anvil.accounts.map((a) => a.address));
  });

  test("a node restarted after a stop keeps its port, contracts, records and events", async () => {
    const c = chain();
    const subject = subjectForUser("restart-user", salt);
    const recordHash = scoreRecordHash({ userId: "restart-user", score: 655 }, salt);
    await anchorScore(c.clients, c.scoreRegistry, {
      subject,
      score: 655,
      recordHash,
      modelVersion: "v1",
      calculatedAt: new Date(Date.now() - 60_000),
    });
    const before = await c.clients.publicClient.getBlockNumber({ cacheTime: 0 });
    const { port, rpcUrl } = c.anvil;

    await c.anvil.stop();
    expect(await isPortFree(port)).toBe(true);
    await expect(c.clients.publicClient.request({ method: "eth_blockNumber" })).rejects.toThrow();
    await c.restart();

    expect(c.anvil.rpcUrl).toBe(rpcUrl);
    expect(await c.clients.publicClient.getBlockNumber({ cacheTime: 0 })).toBe(before);
    expect((await readLatestScore(c.clients.publicClient, c.scoreRegistry, subject))?.score).toBe(655);
    expect(await readScoreEvents(c.clients.publicClient, c.scoreRegistry, { subject })).toHaveLength(1);
    // the signer's nonce survived too, so the next write goes through
    const next = await anchorScore(c.clients, c.scoreRegistry, {
      subject,
      score: 700,
      recordHash: scoreRecordHash({ userId: "restart-user", score: 700 }, salt),
      modelVersion: "v1",
      calculatedAt: new Date(),
    });
    expect(next.alreadyAnchored).toBe(false);
  });
});

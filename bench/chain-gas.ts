/**
 * Gas of each registry write on a local Anvil (what docs/chain.md quotes): `bun bench/chain-gas.ts`.
 * Starts its own node on a free loopback port, deploys both registries, writes, prints, stops.
 */
import { startAnvil } from "../contracts/anvil.ts";
import { deployRegistries } from "../contracts/deploy.ts";
import { createChainClients } from "../server/chain/clients.ts";
import { recordLoanStatus } from "../server/chain/loan-registry.ts";
import { anchorScore } from "../server/chain/score-registry.ts";
import { loanIdHash, scoreRecordHash, subjectForUser } from "../server/chain/subject.ts";

const anvil = await startAnvil();
try {
  const dev = anvil.accounts[0];
  if (!dev) throw new Error("no dev account");
  const clients = createChainClients({
    rpcUrl: anvil.rpcUrl,
    chainId: anvil.chainId,
    signerKey: dev.privateKey,
    pollingIntervalMs: 50,
    timeoutMs: 5_000,
  });
  const registries = await deployRegistries(clients.walletClient, clients.publicClient, {
    writers: [clients.account.address],
  });
  const salt = "bench-salt-0123456789abcdef";
  const subject = subjectForUser("bench-user", salt);
  const anchor = async (score: number, at: number) => {
    const result = await anchorScore(clients, registries.scoreRegistry, {
      subject,
      score,
      recordHash: scoreRecordHash({ score, at }, salt),
      modelVersion: "scorecard-2025.06-1.bench",
      calculatedAt: new Date(at),
    });
    if (result.alreadyAnchored || result.superseded) throw new Error("expected a write");
    return result.gasUsed;
  };
  const now = Date.now();
  const rows: [string, bigint][] = [
    ["first anchor for a subject", await anchor(700, now - 2_000)],
    ["later anchor, same subject", await anchor(712, now - 1_000)],
    ["another later anchor", await anchor(725, now)],
  ];
  const loan = loanIdHash("bench-loan", salt);
  const status = async (to: "submitted" | "approved" | "disbursed") => {
    const result = await recordLoanStatus(clients, registries.loanRegistry, {
      loanIdHash: loan,
      amountCents: 1_000_000n,
      termMonths: 12,
      status: to,
    });
    if (result.skipped) throw new Error("expected a write");
    return result.gasUsed;
  };
  rows.push(["registering a loan", await status("submitted")]);
  rows.push(["a later loan status", await status("approved")]);
  rows.push(["another loan status", await status("disbursed")]);
  for (const [what, gas] of rows) console.log(`${what.padEnd(30)} ${gas.toLocaleString("en-GB")} gas`);
} finally {
  await anvil.stop();
}

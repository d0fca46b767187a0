/**
 * `bun run chain:dev`: a local Anvil with both registries and the audit anchor deployed from dev account 0
 * (owner and writer). Prints the server's environment lines on stdout, then runs until Ctrl-C or SIGTERM.
 *
 * CHAIN_DEV_PORT  port to listen on (default 8545)
 * CHAIN_DEV_STATE file to keep the chain in across runs (default: a fresh chain every run)
 */
import { getContractAddress } from "viem";
import { type AnvilNode, startAnvil } from "../contracts/anvil.ts";
import { deployAuditAnchor, deployRegistries, type Registries } from "../contracts/deploy.ts";
import { createChainClients } from "../server/chain/clients.ts";

const port = Number(process.env.CHAIN_DEV_PORT ?? 8545);
if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
  console.error(`CHAIN_DEV_PORT must be a port number, got ${process.env.CHAIN_DEV_PORT}`);
  process.exit(1);
}

let node: AnvilNode | undefined;
let stopping = false;
// Registered before Anvil starts, so an early Ctrl-C cannot leave an orphaned node behind.
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.error(`${signal}: stopping anvil`);
  if (!node) return; // still starting: the start below sees `stopping` and stops it
  await node.stop();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

try {
  node = await startAnvil({ port, chainId: 31337, statePath: process.env.CHAIN_DEV_STATE || undefined });
} catch (error) {
  console.error(`could not start anvil: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
if (stopping) {
  await node.stop();
  process.exit(0);
}

try {
  const owner = node.accounts[0];
  if (!owner) throw new Error("no dev account");
  const clients = createChainClients({
    rpcUrl: node.rpcUrl,
    chainId: node.chainId,
    signerKey: owner.privateKey,
    pollingIntervalMs: 100,
  });

  // Deployed first on a fresh chain, the registries sit at the addresses of account 0's nonces 0
  // and 1; with CHAIN_DEV_STATE a later run finds them there and reuses them.
  const expected: Registries = {
    scoreRegistry: getContractAddress({ from: owner.address, nonce: 0n }),
    loanRegistry: getContractAddress({ from: owner.address, nonce: 1n }),
  };
  const [scoreCode, loanCode] = await Promise.all([
    clients.publicClient.getCode({ address: expected.scoreRegistry }),
    clients.publicClient.getCode({ address: expected.loanRegistry }),
  ]);
  const registries =
    scoreCode && scoreCode !== "0x" && loanCode && loanCode !== "0x"
      ? expected
      : await deployRegistries(clients.walletClient, clients.publicClient, { writers: [owner.address] });
  // After the registries and their two writer grants, the anchor sits at nonce 4 on a fresh chain.
  const expectedAnchor = getContractAddress({ from: owner.address, nonce: 4n });
  const anchorCode = await clients.publicClient.getCode({ address: expectedAnchor });
  const auditAnchor =
    anchorCode && anchorCode !== "0x"
      ? expectedAnchor
      : await deployAuditAnchor(clients.walletClient, clients.publicClient, { writers: [owner.address] });

  console.log(
    [
      `CHAIN_RPC_URL=${node.rpcUrl}`,
      `CHAIN_ID=${node.chainId}`,
      `CHAIN_SIGNER_KEY=${owner.privateKey}`,
      `SCORE_REGISTRY_ADDRESS=${registries.scoreRegistry}`,
      `LOAN_REGISTRY_ADDRESS=${registries.loanRegistry}`,
      `AUDIT_ANCHOR_ADDRESS=${auditAnchor}`,
    ].join("\n"),
  );
  console.error("anvil is running; Ctrl-C to stop");
} catch (error) {
  console.error(`deployment failed: ${error instanceof Error ? error.message : error}`);
  await node.stop();
  process.exit(1);
}

const code = await node.exited;
if (!stopping) {
  console.error(`anvil exited unexpectedly (${code})`);
  process.exit(1);
}

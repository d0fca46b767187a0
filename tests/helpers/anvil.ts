/**
 * A real Anvil per test file: `const chain = useTestChain()` starts a node and deploys both
 * registries in beforeAll (account 0 owns them and is a writer) and stops it in afterAll; call
 * `chain()` inside tests. `startTestChain` does the same without hooks.
 */
import { afterAll, beforeAll } from "bun:test";
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import type { Address } from "viem";
import { type AnvilNode, type AnvilOptions, restartAnvil, startAnvil } from "../../contracts/anvil.ts";
import { deployAuditAnchor, deployRegistries, type Registries } from "../../contracts/deploy.ts";
import { type ChainClients, createChainClients } from "../../server/chain/clients.ts";

export type TestChain = Registries & {
  /** The AuditAnchor, deployed alongside (account 0 a writer). */
  auditAnchor: Address;
  anvil: AnvilNode;
  /** Clients signing with dev account 0: owner of both registries and a writer. */
  clients: ChainClients;
  /** Clients signing with dev account `index` (0–9): funded, not writers unless authorised. */
  clientsFor(index: number): ChainClients;
  /** The config lines chain:dev prints, as values. */
  env: {
    CHAIN_RPC_URL: string;
    CHAIN_ID: string;
    CHAIN_SIGNER_KEY: string;
    SCORE_REGISTRY_ADDRESS: string;
    LOAN_REGISTRY_ADDRESS: string;
    AUDIT_ANCHOR_ADDRESS: string;
  };
  /**
   * Starts the node again on the same port with the state it had when it stopped (call
   * `chain.anvil.stop()` first to simulate an outage); `anvil` then refers to the new process.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
};

export function clientsForNode(anvil: AnvilNode, index: number): ChainClients {
  const dev = anvil.accounts[index];
  if (!dev) throw new Error(`no dev account ${index}`);
  return createChainClients({
    rpcUrl: anvil.rpcUrl,
    chainId: anvil.chainId,
    signerKey: dev.privateKey,
    pollingIntervalMs: 50,
    timeoutMs: 5_000,
  });
}

export async function startTestChain(options: AnvilOptions = {}): Promise<TestChain> {
  const anvil = await startAnvil(options);
  try {
    const clients = clientsForNode(anvil, 0);
    const registries = await deployRegistries(clients.walletClient, clients.publicClient, {
      writers: [clients.account.address],
    });
    const auditAnchor = await deployAuditAnchor(clients.walletClient, clients.publicClient, {
      writers: [clients.account.address],
    });
    const chain: TestChain = {
      ...registries,
      auditAnchor,
      anvil,
      clients,
      clientsFor: (index) => clientsForNode(anvil, index),
      env: {
        CHAIN_RPC_URL: anvil.rpcUrl,
        CHAIN_ID: String(anvil.chainId),
        CHAIN_SIGNER_KEY: anvil.accounts[0]?.privateKey ?? "",
        SCORE_REGISTRY_ADDRESS: registries.scoreRegistry,
        LOAN_REGISTRY_ADDRESS: registries.loanRegistry,
        AUDIT_ANCHOR_ADDRESS: auditAnchor,
      },
      restart: async () => {
        chain.anvil = await restartAnvil(chain.anvil);
      },
      stop: async () => {
        await chain.anvil.stop();
        // the state file lives in its own temporary folder unless the caller chose one
        if (options.statePath === undefined) {
          rmSync(dirname(chain.anvil.statePath), { recursive: true, force: true });
        }
      },
    };
    return chain;
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

export function useTestChain(options: AnvilOptions = {}): () => TestChain {
  let chain: TestChain | undefined;
  beforeAll(async () => {
    chain = await startTestChain(options);
  });
  afterAll(async () => {
    await chain?.stop();
  });
  return () => {
    if (!chain) throw new Error("the test chain starts in beforeAll: call chain() inside a test");
    return chain;
  };
}

import { type Address, BaseError, getAddress, type Hex } from "viem";
import { type Config, chainVariables } from "../config";
import { unavailable } from "../errors";
import type { HealthCheck } from "../health-check";
import { type ChainClients, createChainClients } from "./clients";
import { chainHealth } from "./health";

/** The configured chain: clients signing with the server's key, the registries, and how to send. */
export type ChainService = {
  clients: ChainClients;
  chainId: number;
  /** The AuditAnchor contract is optional: without it audit checkpoints stay off chain. */
  addresses: { scoreRegistry: Address; loanRegistry: Address; auditAnchor: Address | null };
  /** Passed to every write: blocks to wait for and how long to wait for the receipt. */
  send: { confirmations: number; timeoutMs: number };
  /**
   * The pg-boss queue that serialises this signer's writes on this chain, across every instance:
   * one job at a time, so each send reads the nonce after the previous one.
   */
  publishQueue: string;
};

type ChainSettings = Pick<
  Config,
  | (typeof chainVariables)[number]
  | "CHAIN_CONFIRMATIONS"
  | "CHAIN_RPC_TIMEOUT_MS"
  | "CHAIN_RECEIPT_TIMEOUT_MS"
  | "CHAIN_POLL_INTERVAL_MS"
  | "AUDIT_ANCHOR_ADDRESS"
>;

/** The chain service when the chain variables are set (config guarantees all or none), else null. */
export function createChainService(config: ChainSettings): ChainService | null {
  const { CHAIN_RPC_URL, CHAIN_ID, CHAIN_SIGNER_KEY, SCORE_REGISTRY_ADDRESS, LOAN_REGISTRY_ADDRESS } = config;
  if (!CHAIN_RPC_URL || !CHAIN_ID || !CHAIN_SIGNER_KEY || !SCORE_REGISTRY_ADDRESS || !LOAN_REGISTRY_ADDRESS) {
    return null;
  }
  const clients = createChainClients({
    rpcUrl: CHAIN_RPC_URL,
    chainId: CHAIN_ID,
    signerKey: CHAIN_SIGNER_KEY as Hex,
    timeoutMs: config.CHAIN_RPC_TIMEOUT_MS,
    pollingIntervalMs: config.CHAIN_POLL_INTERVAL_MS,
  });
  return {
    clients,
    chainId: CHAIN_ID,
    addresses: {
      scoreRegistry: getAddress(SCORE_REGISTRY_ADDRESS),
      loanRegistry: getAddress(LOAN_REGISTRY_ADDRESS),
      auditAnchor: config.AUDIT_ANCHOR_ADDRESS ? getAddress(config.AUDIT_ANCHOR_ADDRESS) : null,
    },
    send: { confirmations: config.CHAIN_CONFIRMATIONS, timeoutMs: config.CHAIN_RECEIPT_TIMEOUT_MS },
    publishQueue: `chain-publish.${CHAIN_ID}.${clients.account.address.toLowerCase()}`,
  };
}

export const CHAIN_UNAVAILABLE = "CHAIN_UNAVAILABLE";

/** The chain, or a 503 CHAIN_UNAVAILABLE saying why there is none. */
export function requireChain(deps: { chain?: ChainService | null }): ChainService {
  if (!deps.chain) {
    throw unavailable(
      CHAIN_UNAVAILABLE,
      `No blockchain is configured on this server (set ${chainVariables.join(", ")}; \`bun run chain:dev\` prints them for a local node)`,
    );
  }
  return deps.chain;
}

/** Runs a read against the node; a node that cannot answer becomes a 503 CHAIN_UNREACHABLE. */
export async function readChain<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof BaseError) {
      throw unavailable("CHAIN_UNREACHABLE", `The blockchain node did not answer: ${error.shortMessage}`);
    }
    throw error;
  }
}

/** The `blockchain` check of /api/health: answers within about two seconds and never throws. */
export async function checkBlockchain(chain: ChainService | null | undefined): Promise<HealthCheck> {
  if (!chain) return { status: "not_configured" };
  const health = await chainHealth(chain.clients, chain.addresses, { timeoutMs: 2_000 });
  return {
    status: health.reachable && !health.error ? "ok" : "error",
    ...(health.error ? { detail: health.error } : {}),
    info: {
      reachable: health.reachable,
      chainId: health.chainId,
      configuredChainId: chain.chainId,
      signerAddress: health.signerAddress,
      signerBalanceWei: health.signerBalanceWei,
      scoreRegistry: chain.addresses.scoreRegistry,
      scoreRegistryFound: health.contracts.scoreRegistry,
      loanRegistry: chain.addresses.loanRegistry,
      loanRegistryFound: health.contracts.loanRegistry,
      auditAnchor: chain.addresses.auditAnchor,
      auditAnchorFound: health.contracts.auditAnchor,
    },
  };
}

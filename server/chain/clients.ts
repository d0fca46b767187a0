import {
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  isHex,
  type PrivateKeyAccount,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

export type ChainConfig = {
  rpcUrl: string;
  chainId: number;
  /** 0x-prefixed 32-byte private key of the account that signs registry writes. */
  signerKey: Hex;
  /** Per-request timeout; failures surface quickly because requests are not retried. */
  timeoutMs?: number;
  /** How often receipts and blocks are polled (Anvil mines at once, so tests use ~50 ms). */
  pollingIntervalMs?: number;
};

export type ChainClients = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, PrivateKeyAccount>;
  account: PrivateKeyAccount;
};

/** A chain definition for any chain id, with the configured RPC URL. */
export function defineRpcChain(rpcUrl: string, chainId: number): Chain {
  return defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/**
 * Public and wallet clients over one HTTP transport. No retries at the transport: the callers
 * (jobs with backoff) retry, and an outage must surface in one timeout, not after several.
 */
export function createChainClients(config: ChainConfig): ChainClients {
  if (!isHex(config.signerKey) || config.signerKey.length !== 66) {
    throw new Error("CHAIN_SIGNER_KEY must be a 0x-prefixed 32-byte hex private key");
  }
  const chain = defineRpcChain(config.rpcUrl, config.chainId);
  const transport = http(config.rpcUrl, { timeout: config.timeoutMs ?? 10_000, retryCount: 0 });
  const pollingInterval = config.pollingIntervalMs ?? 1_000;
  const account = privateKeyToAccount(config.signerKey);
  const publicClient = createPublicClient({ chain, transport, pollingInterval });
  const walletClient = createWalletClient({ account, chain, transport, pollingInterval });
  return { publicClient, walletClient, account };
}

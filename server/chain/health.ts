import type { Address } from "viem";
import type { ChainClients } from "./clients.ts";

export type ChainHealth = {
  reachable: boolean;
  chainId: number | null;
  signerAddress: Address;
  /** Wei as a decimal string (JSON has no bigint). */
  signerBalanceWei: string | null;
  /** Whether bytecode is present at each configured address. */
  contracts: { scoreRegistry: boolean; loanRegistry: boolean; auditAnchor: boolean | null };
  /** Why the chain is not usable: unreachable, wrong chain id, or a contract missing. */
  error?: string;
};

/** The chain's state for a health endpoint: answers within `timeoutMs` and never throws. */
export async function chainHealth(
  clients: ChainClients,
  addresses: { scoreRegistry: Address; loanRegistry: Address; auditAnchor?: Address | null },
  options: { timeoutMs?: number } = {},
): Promise<ChainHealth> {
  const { publicClient, account } = clients;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const unreachable = (error: string): ChainHealth => ({
    reachable: false,
    chainId: null,
    signerAddress: account.address,
    signerBalanceWei: null,
    contracts: {
      scoreRegistry: false,
      loanRegistry: false,
      auditAnchor: addresses.auditAnchor ? false : null,
    },
    error,
  });

  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const auditAnchor = addresses.auditAnchor ?? null;
    const [chainId, balance, scoreCode, loanCode, anchorCode] = await Promise.race([
      Promise.all([
        publicClient.getChainId(),
        publicClient.getBalance({ address: account.address }),
        publicClient.getCode({ address: addresses.scoreRegistry }),
        publicClient.getCode({ address: addresses.loanRegistry }),
        auditAnchor ? publicClient.getCode({ address: auditAnchor }) : Promise.resolve(undefined),
      ]),
      timeout,
    ]);
    const contracts = {
      scoreRegistry: hasCode(scoreCode),
      loanRegistry: hasCode(loanCode),
      auditAnchor: auditAnchor ? hasCode(anchorCode) : null,
    };
    const problems: string[] = [];
    const expected = publicClient.chain.id;
    if (chainId !== expected) problems.push(`node is on chain ${chainId}, configured for ${expected}`);
    if (!contracts.scoreRegistry) problems.push(`no contract at ${addresses.scoreRegistry} (score registry)`);
    if (!contracts.loanRegistry) problems.push(`no contract at ${addresses.loanRegistry} (loan registry)`);
    if (contracts.auditAnchor === false) problems.push(`no contract at ${auditAnchor} (audit anchor)`);
    return {
      reachable: true,
      chainId,
      signerAddress: account.address,
      signerBalanceWei: balance.toString(),
      contracts,
      ...(problems.length > 0 ? { error: problems.join("; ") } : {}),
    };
  } catch (error) {
    return unreachable(shortMessage(error));
  } finally {
    clearTimeout(timer);
  }
}

function hasCode(code: string | undefined): boolean {
  return code !== undefined && code !== "0x" && code.length > 2;
}

function shortMessage(error: unknown): string {
  if (
    error &&
    typeof error === "object" &&
    "shortMessage" in error &&
    typeof error.shortMessage === "string"
  ) {
    return error.shortMessage;
  }
  return error instanceof Error ? error.message : String(error);
}

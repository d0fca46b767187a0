import type { Address, PublicClient } from "viem";

export type WalletActivity = {
  balanceWei: bigint;
  /** Transactions the wallet sent (its nonce). */
  txCount: number;
  /**
   * Days since the block of the wallet's first sent transaction; null when it never sent one or
   * when the node cannot answer for old blocks (a pruned, non-archive node).
   */
  ageDays: number | null;
};

const SECONDS_PER_DAY = 86_400n;

/**
 * Balance, nonce and age of a wallet. The age is found by a binary search over block numbers for
 * the first block at which the nonce was above zero: about log2(block height) calls (at most 64),
 * plus four.
 */
export async function readWalletActivity(
  publicClient: PublicClient,
  address: Address,
): Promise<WalletActivity> {
  const latest = await publicClient.getBlock({ blockTag: "latest" });
  const [balanceWei, txCount] = await Promise.all([
    publicClient.getBalance({ address, blockNumber: latest.number }),
    publicClient.getTransactionCount({ address, blockNumber: latest.number }),
  ]);
  if (txCount === 0) return { balanceWei, txCount, ageDays: null };

  let ageDays: number | null = null;
  try {
    const firstBlock = await firstBlockWithNonce(publicClient, address, latest.number);
    const { timestamp } = await publicClient.getBlock({ blockNumber: firstBlock });
    ageDays = Number((latest.timestamp - timestamp) / SECONDS_PER_DAY);
  } catch {
    // historical state unavailable: the age stays unknown, the rest is still true
  }
  return { balanceWei, txCount, ageDays };
}

/** The lowest block at which `address` has a nonce above zero, given that it has one at `latest`. */
async function firstBlockWithNonce(publicClient: PublicClient, address: Address, latest: bigint) {
  let low = 0n;
  let high = latest;
  while (low < high) {
    const middle = (low + high) / 2n;
    const nonce = await publicClient.getTransactionCount({ address, blockNumber: middle });
    if (nonce > 0) high = middle;
    else low = middle + 1n;
  }
  return low;
}

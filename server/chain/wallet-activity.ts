import { eq } from "drizzle-orm";
import { getAddress } from "viem";
import type { Database } from "../../db/client";
import { financialProfiles } from "../../db/schema";
import { readWalletActivity } from "./activity";
import type { ChainService } from "./connection";

/** The scoring inputs read from the chain for a linked wallet (credit's `walletAgeDays`, `walletTxCount`). */
export type WalletScoringActivity = {
  /** Days since the wallet's first sent transaction; null when it never sent one. */
  walletAgeDays: number | null;
  walletTxCount: number;
  /** Wei as a decimal string. */
  walletBalanceWei: string;
};

/**
 * On-chain activity of the user's linked wallet, or null when there is no linked wallet, the user did not
 * consent (the same consent as anchoring: without it the wallet is not read for scoring), no chain, or the node
 * does not answer within `timeoutMs`: scoring then goes on without it. Never throws.
 */
export async function walletActivityForUser(
  deps: { db: Database; chain?: ChainService | null },
  userId: string,
  options: { timeoutMs?: number } = {},
): Promise<WalletScoringActivity | null> {
  if (!deps.chain) return null;
  const [profile] = await deps.db
    .select({ wallet: financialProfiles.walletAddress, consent: financialProfiles.walletAnchorConsent })
    .from(financialProfiles)
    .where(eq(financialProfiles.userId, userId));
  if (!profile?.wallet || !profile.consent) return null;

  const timeoutMs = options.timeoutMs ?? 3_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const activity = await Promise.race([
      readWalletActivity(deps.chain.clients.publicClient, getAddress(profile.wallet)),
      timeout,
    ]);
    if (!activity) return null;
    return {
      walletAgeDays: activity.ageDays,
      walletTxCount: activity.txCount,
      walletBalanceWei: activity.balanceWei.toString(),
    };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

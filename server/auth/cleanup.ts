import { lt, or } from "drizzle-orm";
import type { Database } from "../../db/client";
import { accountTokens, oneTimeCodes, sessions, walletChallenges } from "../../db/schema";

export type AuthCleanup = {
  sessions: number;
  walletChallenges: number;
  oneTimeCodes: number;
  accountTokens: number;
};

/**
 * Deletes what can no longer be used: sessions past their sliding or absolute end, wallet challenges,
 * one-time codes and email verification or reset tokens past their expiry (used or not). Validation already refuses all of them; this keeps the tables
 * from growing for ever.
 */
export async function deleteExpiredAuthRecords(
  db: Database,
  params: { now: Date; sessionMaxAgeMs: number },
): Promise<AuthCleanup> {
  const { now } = params;
  const oldestLiveStart = new Date(now.getTime() - params.sessionMaxAgeMs);
  const endedSessions = await db
    .delete(sessions)
    .where(or(lt(sessions.expiresAt, now), lt(sessions.createdAt, oldestLiveStart)))
    .returning({ id: sessions.id });
  const challenges = await db
    .delete(walletChallenges)
    .where(lt(walletChallenges.expiresAt, now))
    .returning({ id: walletChallenges.id });
  const codes = await db
    .delete(oneTimeCodes)
    .where(lt(oneTimeCodes.expiresAt, now))
    .returning({ id: oneTimeCodes.id });
  const tokens = await db
    .delete(accountTokens)
    .where(lt(accountTokens.expiresAt, now))
    .returning({ id: accountTokens.id });
  return {
    sessions: endedSessions.length,
    walletChallenges: challenges.length,
    oneTimeCodes: codes.length,
    accountTokens: tokens.length,
  };
}

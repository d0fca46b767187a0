import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type AccountTokenPurpose, accountTokens } from "../../db/schema";
import { hashSessionSecret } from "./session";

/** How long a verification or reset token may be used after it is sent. */
export const ACCOUNT_TOKEN_TTL_MS = 30 * 60 * 1000;

export type IssueTokenParams = { userId: string; purpose: AccountTokenPurpose; email: string; now: Date };

/**
 * A new single-use token for `purpose`; any earlier unused one for the same purpose stops working, so only the
 * latest link sent is live. Only its SHA-256 is stored: 256 random bits need no slow hash.
 */
export async function issueAccountToken(tx: Database, params: IssueTokenParams): Promise<string> {
  const token = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(32)));
  await tx
    .delete(accountTokens)
    .where(
      and(
        eq(accountTokens.userId, params.userId),
        eq(accountTokens.purpose, params.purpose),
        isNull(accountTokens.usedAt),
      ),
    );
  await tx.insert(accountTokens).values({
    userId: params.userId,
    purpose: params.purpose,
    tokenHash: hashSessionSecret(token),
    email: params.email,
    expiresAt: new Date(params.now.getTime() + ACCOUNT_TOKEN_TTL_MS),
  });
  return token;
}

export type ConsumedToken = { userId: string; email: string };

/**
 * Marks the token used and returns whose it was, or null when it is unknown, used, expired or of another
 * purpose. One conditional update: of two concurrent uses, exactly one gets the row.
 */
export async function consumeAccountToken(
  tx: Database,
  params: { token: string; purpose: AccountTokenPurpose; now: Date },
): Promise<ConsumedToken | null> {
  const [row] = await tx
    .update(accountTokens)
    .set({ usedAt: params.now })
    .where(
      and(
        eq(accountTokens.tokenHash, hashSessionSecret(params.token)),
        eq(accountTokens.purpose, params.purpose),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, params.now),
      ),
    )
    .returning({ userId: accountTokens.userId, email: accountTokens.email });
  return row ?? null;
}

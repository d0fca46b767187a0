import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type CreditScore, creditScores } from "../../db/schema";
import type { PublicUser } from "../auth/session";
import { DomainError, forbidden, invalidInput } from "../errors";
import { decodeTimeCursor, encodeTimeCursor } from "../query-inputs";
import type { ScoreHistory, ScoreRecord } from "./schemas";
import { toCalculatedScore } from "./service";

/** Roles that may read any user's scores (to underwrite their loans). */
export const SCORE_READER_ROLES: readonly PublicUser["role"][] = ["underwriter", "admin"];

/** Whose scores the viewer asked for: their own, or, for underwriters and admins only, anyone's. */
export function scoreSubject(viewer: Pick<PublicUser, "id" | "role">, userId: string | undefined): string {
  if (userId === undefined || userId === viewer.id) return viewer.id;
  if (!SCORE_READER_ROLES.includes(viewer.role)) {
    throw forbidden("Only underwriters and admins may read another user's credit scores");
  }
  return userId;
}

function toScoreRecord(row: CreditScore): ScoreRecord {
  return { ...toCalculatedScore(row), inputs: row.inputs };
}

export type ScoreHistoryParams = { userId: string; cursor?: string; limit?: number };

/** The user's scores, newest first, a page at a time. */
export async function scoreHistory(db: Database, params: ScoreHistoryParams): Promise<ScoreHistory> {
  const limit = params.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalidInput("INVALID_LIMIT", "limit must be a whole number from 1 to 100");
  }
  const after = params.cursor === undefined ? null : decodeTimeCursor(params.cursor);
  const rows = await db
    .select()
    .from(creditScores)
    .where(
      and(
        eq(creditScores.userId, params.userId),
        after
          ? sql`(${creditScores.calculatedAt}, ${creditScores.id}) < (${after.at}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(creditScores.calculatedAt), desc(creditScores.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toScoreRecord),
    nextCursor: rows.length > limit && last ? encodeTimeCursor(last.calculatedAt, last.id) : null,
  };
}

/** The user's newest score, or null when none was calculated. */
export async function latestScore(db: Database, userId: string): Promise<ScoreRecord | null> {
  const { items } = await scoreHistory(db, { userId, limit: 1 });
  return items[0] ?? null;
}

/** The 404 for a user without a score. */
export function noScore(own: boolean): DomainError {
  return new DomainError(
    "not_found",
    "NO_SCORE",
    own
      ? "No credit score yet: calculate one with credit.calculateScore (POST /api/credit/calculate-score)"
      : "This user has no credit score yet",
  );
}

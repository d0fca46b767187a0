import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type CreditScore, creditScores } from "../../db/schema";
import { isStaff } from "../auth/roles";
import type { PublicUser } from "../auth/session";
import { DomainError, forbidden, invalidInput } from "../errors";
import { afterTimeCursor, timeKeyOrder, timeKeyPage } from "../pagination";
import type { ScoreHistory, ScoreRecord } from "./schemas";
import { toCalculatedScore } from "./scoring";

/** Whose scores the viewer asked for: their own, or, for underwriters and admins only, anyone's. */
export function scoreSubject(viewer: Pick<PublicUser, "id" | "role">, userId: string | undefined): string {
  if (userId === undefined || userId === viewer.id) return viewer.id;
  if (!isStaff(viewer)) {
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
  const { calculatedAt, id } = creditScores;
  const rows = await db
    .select()
    .from(creditScores)
    .where(
      and(
        eq(creditScores.userId, params.userId),
        params.cursor === undefined ? undefined : afterTimeCursor(calculatedAt, id, params.cursor, "newest"),
      ),
    )
    .orderBy(...timeKeyOrder(calculatedAt, id, "newest"))
    .limit(limit + 1);
  return timeKeyPage(rows, limit, (row) => row.calculatedAt, toScoreRecord);
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

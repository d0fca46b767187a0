import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type CreditScore, creditScores } from "../../db/schema";
import type { PublicUser } from "../auth/session";
import { DomainError, forbidden, invalidInput } from "../errors";
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

/** The cursor is opaque to clients: the last item's time and id, base64url. */
function encodeCursor(row: Pick<CreditScore, "calculatedAt" | "id">): string {
  return Buffer.from(`${row.calculatedAt.toISOString()}|${row.id}`).toString("base64url");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(cursor: string): { calculatedAt: string; id: string } {
  const [at, id, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!at || !id || rest.length > 0 || !UUID.test(id) || Number.isNaN(Date.parse(at))) {
    throw invalidInput("INVALID_CURSOR", "cursor is not one this endpoint returned");
  }
  return { calculatedAt: new Date(at).toISOString(), id };
}

export type ScoreHistoryParams = { userId: string; cursor?: string; limit?: number };

/** The user's scores, newest first, a page at a time. */
export async function scoreHistory(db: Database, params: ScoreHistoryParams): Promise<ScoreHistory> {
  const limit = params.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalidInput("INVALID_LIMIT", "limit must be a whole number from 1 to 100");
  }
  const after = params.cursor === undefined ? null : decodeCursor(params.cursor);
  const rows = await db
    .select()
    .from(creditScores)
    .where(
      and(
        eq(creditScores.userId, params.userId),
        after
          ? sql`(${creditScores.calculatedAt}, ${creditScores.id}) < (${after.calculatedAt}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(creditScores.calculatedAt), desc(creditScores.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toScoreRecord),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
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

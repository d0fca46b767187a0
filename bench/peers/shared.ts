/**
 * What both peers share with each other and with BlockScore: the SQL BlockScore sends for a session check and a
 * profile read (copied from drizzle's `toSQL()` of server/auth/session.ts and server/profile/profile.ts), the
 * answer's shape, and the scorecard. The peers run it through postgres.js directly: no ORM, no framework layers.
 * This file runs on Bun and, bundled, on Node 20: nothing here may use a Bun-only API.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type postgres from "postgres";
import { loadConfig } from "../../server/config";
import type { LoadedEngine } from "../../server/credit/engine";
import { modelArtifactSchema } from "../../server/credit/gbdt/artifact";
import { compileModel } from "../../server/credit/gbdt/score";
import modelJson from "../../server/credit/model/gbdt.json";
import { formatMoney } from "../../server/money";
import { type ProfileLimits, profileLimits } from "../../server/profile/limits";
import type { FinancialProfileView } from "../../server/profile/schemas";

export const SESSION_SQL =
  'select "sessions"."id", "sessions"."user_id", "sessions"."secret_hash", "sessions"."mfa_verified", ' +
  '"sessions"."ip", "sessions"."user_agent", "sessions"."created_at", "sessions"."last_seen_at", ' +
  '"sessions"."expires_at", "users"."id" as "uid", "users"."email", "users"."name", "users"."role", ' +
  '"users"."mfa_enabled", "users"."created_at" as "user_created_at" from "sessions" ' +
  'inner join "users" on "users"."id" = "sessions"."user_id" where "sessions"."id" = $1';

export const PROFILE_SQL =
  'select "user_id", "date_of_birth", "dependants", "annual_income_cents", "monthly_debt_payments_cents", ' +
  '"employment_status", "employment_years", "housing", "open_credit_lines", "real_estate_loans", ' +
  '"revolving_utilization_percent", "past_due_30_59", "past_due_60_89", "past_due_90_plus", ' +
  '"credit_history_years", "recent_inquiries", "wallet_address", "phone_number", "wallet_anchor_consent", ' +
  '"wallet_linked_at", "income_verified_cents", "income_verified_at", "income_verified_by", "updated_at" ' +
  'from "financial_profiles" where "financial_profiles"."user_id" = $1';

const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export type PeerUser = {
  id: string;
  email: string;
  name: string;
  role: "user" | "underwriter" | "admin";
  mfaEnabled: boolean;
  createdAt: Date;
};
export type PeerSession = { user: PeerUser; mfaVerified: boolean };

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** BlockScore's session rules: id.secret, SHA-256 of the secret compared in constant time, expiry, sliding renewal. */
export async function validateSession(sql: postgres.Sql, token: string | null): Promise<PeerSession | null> {
  if (!token) return null;
  const [id, secret, extra] = token.split(".");
  if (!id || !secret || extra !== undefined) return null;
  const [row] = await sql.unsafe(SESSION_SQL, [id], { prepare: true });
  if (!row) return null;
  const expected = Buffer.from(row.secret_hash as string);
  const actual = Buffer.from(sha256Hex(secret));
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  const expiresAt = (row.expires_at as Date).getTime();
  const now = Date.now();
  if (expiresAt <= now) return null;
  if (expiresAt - now < SESSION_TTL_MS / 2) {
    await sql`update sessions set expires_at = ${new Date(now + SESSION_TTL_MS)}, last_seen_at = now() where id = ${id}`;
  }
  const user: PeerUser = {
    id: row.uid as string,
    email: row.email as string,
    name: row.name as string,
    role: row.role as PeerUser["role"],
    mfaEnabled: row.mfa_enabled as boolean,
    createdAt: row.user_created_at as Date,
  };
  return { user, mfaVerified: row.mfa_verified as boolean };
}

/** A complete session: MFA passed when the user has it on (BlockScore's protectedProcedure). */
export function isComplete(session: PeerSession | null): session is PeerSession {
  return session !== null && (!session.user.mfaEnabled || session.mfaVerified);
}

const cents = (value: unknown) => (value === null ? null : formatMoney(Number(value)));
const decimal = (value: unknown) => (value === null ? null : Number(value));
const isoDay = (value: unknown) => (value === null ? null : (value as Date).toISOString().slice(0, 10));

/** The profile part of BlockScore's `{ user, profile }` answer, from a `PROFILE_SQL` row. */
export function profileView(row: Record<string, unknown>): FinancialProfileView {
  // biome-ignore lint/suspicious/noExplicitAny: the row's columns are typed by the SQL above, not by TypeScript.
  const r = row as Record<string, any>;
  return {
    dateOfBirth: isoDay(r.date_of_birth),
    dependants: r.dependants,
    annualIncome: cents(r.annual_income_cents),
    annualIncomeVerified:
      r.annual_income_cents !== null && String(r.income_verified_cents) === String(r.annual_income_cents),
    monthlyDebtPayments: cents(r.monthly_debt_payments_cents),
    employmentStatus: r.employment_status,
    employmentYears: decimal(r.employment_years),
    housing: r.housing,
    openCreditLines: r.open_credit_lines,
    realEstateLoans: r.real_estate_loans,
    revolvingUtilizationPercent: decimal(r.revolving_utilization_percent),
    pastDue30to59: r.past_due_30_59,
    pastDue60to89: r.past_due_60_89,
    pastDue90Plus: r.past_due_90_plus,
    creditHistoryYears: decimal(r.credit_history_years),
    recentInquiries: r.recent_inquiries,
    walletAddress: r.wallet_address,
    phoneNumber: r.phone_number,
    updatedAt: r.updated_at as Date,
  };
}

export async function readProfile(sql: postgres.Sql, userId: string) {
  const [row] = await sql.unsafe(PROFILE_SQL, [userId], { prepare: true });
  if (!row) throw new Error("the bench users all have a profile row");
  return profileView(row);
}

/** BlockScore's default declarable range (PROFILE_MAX_ANNUAL_INCOME unset). */
export const LIMITS: ProfileLimits = profileLimits(loadConfig({}));

/** BlockScore's default engine (SCORING_ENGINE=model): the committed boosted trees, checked as at its start. */
export function loadScoring(): LoadedEngine {
  const model = modelArtifactSchema.parse(modelJson);
  compileModel(model);
  return { engine: "model", model, reason: "the committed model" };
}

/**
 * BlockScore's health answer is kept in memory and refreshed in the background; the peers do the same with one
 * `select 1` every few seconds, so a health request costs no database round trip in any of the three.
 */
export function backgroundHealth(sql: postgres.Sql, everyMs = 5000) {
  let answer = { status: "ok", checks: { database: { status: "ok" } } };
  const check = async () => {
    try {
      await sql`select 1`;
      answer = { status: "ok", checks: { database: { status: "ok" } } };
    } catch {
      answer = { status: "degraded", checks: { database: { status: "error" } } };
    }
  };
  void check();
  const timer = setInterval(check, everyMs);
  timer.unref?.();
  return () => answer;
}

export function bearerToken(header: string | null | undefined): string | null {
  return header?.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() || null : null;
}

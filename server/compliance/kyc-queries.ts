import { and, asc, desc, eq, gt, inArray, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  type KycApplicationRow,
  type KycResubmission,
  kycApplications,
  kycResubmissions,
  type StoredKycCheck,
  users,
} from "../../db/schema";
import { seqPage } from "../pagination";
import type { KycCheck, KycCheckName, KycStatus } from "./kyc-checks";

/** A user's KYC state: their latest application's status, or `not_submitted`. */

/* KYC reads: a user's status and the view they see (never a list entry), and the admin's queue. */

export type KycState = "not_submitted" | KycApplicationRow["status"];
export type PublicKycCheck = { name: KycCheckName; result: KycCheck["result"]; detail: string };

export const REVIEW_MESSAGE = "Your verification needs a manual review";

const PUBLIC_SANCTIONS_DETAIL: Record<KycCheck["result"], string> = {
  pass: "No match on the sanctions lists",
  review: "Sanctions screening needs a manual review",
  fail: "Sanctions screening needs a manual review",
};

/**
 * The applicant's view of a check. The sanctions check never names an entry, a program, a score, the list or
 * its threshold: telling the person screened what matched is tipping off (it shows them how to get round it).
 * Only reviewers see the candidates.
 */
function publicCheck(check: StoredKycCheck): PublicKycCheck {
  const detail = check.name === "sanctions" ? PUBLIC_SANCTIONS_DETAIL[check.result] : check.detail;
  return { name: check.name, result: check.result, detail };
}

export type KycAnswer = { status: KycStatus; message: string; checks?: PublicKycCheck[] };

/** In review the applicant gets the status and one sentence, nothing that could say why. */
export function applicantAnswer(status: KycStatus, checks: readonly StoredKycCheck[]): KycAnswer {
  if (status === "review") return { status, message: REVIEW_MESSAGE };
  const message =
    status === "verified"
      ? "Your identity is verified"
      : "Your verification was not successful: correct what the checks name and submit again";
  return { status, message, checks: checks.map(publicCheck) };
}

export async function latestApplication(db: Database, userId: string): Promise<KycApplicationRow | null> {
  const [row] = await db
    .select()
    .from(kycApplications)
    .where(eq(kycApplications.userId, userId))
    .orderBy(desc(kycApplications.seq))
    .limit(1);
  return row ?? null;
}

/** Locks the user's row: submissions and decisions for one user run one at a time. */
export async function kycStatusOf(db: Database, userId: string): Promise<KycState> {
  const [row] = await db
    .select({ status: kycApplications.status })
    .from(kycApplications)
    .where(eq(kycApplications.userId, userId))
    .orderBy(desc(kycApplications.seq))
    .limit(1);
  return row?.status ?? "not_submitted";
}

const MISSING_APPLICATION =
  "Submit your legal name, date of birth, country, address and an identity document (passport, national ID or driving licence)";

/**
 * The user's own view: status, the latest checks, and what is still missing for `verified`. In review it shows
 * no checks at all, only the review message.
 */
export async function getKycView(
  db: Database,
  userId: string,
): Promise<{
  status: KycState;
  message: string;
  canSubmit: boolean;
  submittedAt: Date | null;
  decidedAt: Date | null;
  checks: PublicKycCheck[];
  missing: string[];
}> {
  const latest = await latestApplication(db, userId);
  if (!latest) {
    return {
      status: "not_submitted",
      message: "Submit your identity details to be verified",
      canSubmit: true,
      submittedAt: null,
      decidedAt: null,
      checks: [],
      missing: [MISSING_APPLICATION],
    };
  }
  if (latest.status === "review" || latest.status === "pending") {
    return {
      status: latest.status,
      message: REVIEW_MESSAGE,
      canSubmit: false,
      submittedAt: latest.submittedAt,
      decidedAt: null,
      checks: [],
      missing: [REVIEW_MESSAGE],
    };
  }
  const checks = latest.checks.map(publicCheck);
  let missing: string[] = [];
  if (latest.status === "rejected") {
    const failed = checks.filter((check) => check.result === "fail").map((check) => check.detail);
    missing = [
      ...(latest.decidedBy ? ["Your application was rejected after review by a compliance officer"] : failed),
      "You can correct your details and submit again",
    ];
  }
  return {
    status: latest.status,
    message: applicantAnswer(latest.status, latest.checks).message,
    canSubmit: latest.status === "rejected",
    submittedAt: latest.submittedAt,
    decidedAt: latest.decidedAt,
    checks,
    missing,
  };
}

export type KycResubmissionView = Omit<KycResubmission, "userId" | "applicationId">;

export type KycApplicationView = Omit<KycApplicationRow, "checks"> & {
  userEmail: string;
  checks: StoredKycCheck[];
  /** Submissions that arrived while this application was in review: the reviewer sees every name given. */
  resubmissions: KycResubmissionView[];
};

export const applicationColumns = { application: kycApplications, userEmail: users.email };

export async function withResubmissions(
  db: Database,
  rows: { application: KycApplicationRow; userEmail: string }[],
): Promise<KycApplicationView[]> {
  const ids = rows.map((row) => row.application.id);
  const later =
    ids.length === 0
      ? []
      : await db
          .select()
          .from(kycResubmissions)
          .where(inArray(kycResubmissions.applicationId, ids))
          .orderBy(asc(kycResubmissions.submittedAt));
  return rows.map((row) => ({
    ...row.application,
    userEmail: row.userEmail,
    resubmissions: later
      .filter((item) => item.applicationId === row.application.id)
      .map(({ userId: _userId, applicationId: _applicationId, ...item }) => item),
  }));
}

export type KycApplicationQuery = {
  status?: KycApplicationRow["status"];
  userId?: string;
  /** The seq of the last application of the previous page. */
  cursor?: number;
  limit: number;
};

/** Applications oldest first (a review queue is worked from its oldest case); `userId` gives one user's history. */
export async function listKycApplications(
  db: Database,
  query: KycApplicationQuery,
): Promise<{ items: KycApplicationView[]; nextCursor: number | null }> {
  const conditions: SQL[] = [];
  if (query.status) conditions.push(eq(kycApplications.status, query.status));
  if (query.userId) conditions.push(eq(kycApplications.userId, query.userId));
  if (query.cursor) conditions.push(gt(kycApplications.seq, query.cursor));
  const rows = await db
    .select(applicationColumns)
    .from(kycApplications)
    .innerJoin(users, eq(users.id, kycApplications.userId))
    .where(and(...conditions))
    .orderBy(asc(kycApplications.seq))
    .limit(query.limit + 1);
  const { page, nextCursor } = seqPage(rows, query.limit, (row) => row.application.seq);
  return { items: await withResubmissions(db, page), nextCursor };
}

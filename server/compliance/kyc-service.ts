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
import { appendAudit, type RequestMeta } from "../audit/log";
import type { Config } from "../config";
import { conflict, forbidden, notFound } from "../errors";
import { seqPage } from "../pagination";
import {
  type Identity,
  type KycCheck,
  type KycCheckName,
  type KycStatus,
  runKycChecks,
  type SanctionsCheck,
} from "./kyc-checks";
import type { ScreeningIndex } from "./sanctions/screen";
import type { KycSubmissionInput } from "./schemas";

/** A user's KYC state: their latest application's status, or `not_submitted`. */
export type KycState = "not_submitted" | KycApplicationRow["status"];
export type PublicKycCheck = { name: KycCheckName; result: KycCheck["result"]; detail: string };

export type KycSettings = {
  sanctionsIndex: ScreeningIndex | null;
  highRiskCountries: readonly string[];
  sanctionsThreshold: number;
  onHighRiskCountry: "fail" | "review";
  now?: Date;
};

export function kycSettings(config: Config, sanctionsIndex: ScreeningIndex | null): KycSettings {
  return {
    sanctionsIndex,
    highRiskCountries: config.HIGH_RISK_COUNTRIES,
    sanctionsThreshold: config.SANCTIONS_MATCH_THRESHOLD,
    onHighRiskCountry: config.KYC_HIGH_RISK_COUNTRY_OUTCOME,
  };
}

function storedCheck(check: KycCheck | SanctionsCheck): StoredKycCheck {
  const { name, result, detail } = check;
  return "matches" in check ? { name, result, detail, matches: check.matches } : { name, result, detail };
}

/** All the applicant is told while a compliance officer looks at their case, whatever the reason. */
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
function applicantAnswer(status: KycStatus, checks: readonly StoredKycCheck[]): KycAnswer {
  if (status === "review") return { status, message: REVIEW_MESSAGE };
  const message =
    status === "verified"
      ? "Your identity is verified"
      : "Your verification was not successful: correct what the checks name and submit again";
  return { status, message, checks: checks.map(publicCheck) };
}

async function latestApplication(db: Database, userId: string): Promise<KycApplicationRow | null> {
  const [row] = await db
    .select()
    .from(kycApplications)
    .where(eq(kycApplications.userId, userId))
    .orderBy(desc(kycApplications.seq))
    .limit(1);
  return row ?? null;
}

/** Locks the user's row: submissions and decisions for one user run one at a time. */
async function lockUser(tx: Database, userId: string): Promise<void> {
  const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
  if (!user) throw notFound("User");
}

/** The status loans eligibility reads: `verified` is the only one that allows applying. */
export async function kycStatusOf(db: Database, userId: string): Promise<KycState> {
  const [row] = await db
    .select({ status: kycApplications.status })
    .from(kycApplications)
    .where(eq(kycApplications.userId, userId))
    .orderBy(desc(kycApplications.seq))
    .limit(1);
  return row?.status ?? "not_submitted";
}

export type SubmitKycParams = { userId: string; application: KycSubmissionInput };

/** Every name and date of birth the user has given: in their applications and in resubmissions during review. */
async function identitiesOf(db: Database, userId: string): Promise<Identity[]> {
  const fromApplications = await db
    .select({ legalName: kycApplications.legalName, dateOfBirth: kycApplications.dateOfBirth })
    .from(kycApplications)
    .where(eq(kycApplications.userId, userId));
  const fromResubmissions = await db
    .select({ legalName: kycResubmissions.legalName, dateOfBirth: kycResubmissions.dateOfBirth })
    .from(kycResubmissions)
    .where(eq(kycResubmissions.userId, userId));
  const distinct = new Map<string, Identity>();
  for (const identity of [...fromApplications, ...fromResubmissions]) {
    distinct.set(`${identity.legalName}|${identity.dateOfBirth}`, identity);
  }
  return [...distinct.values()];
}

const last4 = (documentNumber: string) => documentNumber.replace(/[\s-]/g, "").toUpperCase().slice(-4);

/**
 * Runs the checks and stores the application with the status they decide, audited in the same transaction.
 * Every name and date of birth the user ever gave is screened again with the new ones. A user whose latest
 * application is verified cannot submit again (409). While one is in review, a submission is accepted and
 * changes nothing: it is kept for the reviewer (and screened with every later one), and the answer is the same
 * review message. After a rejection a new application is made; the rejected one stays in the history.
 */
export async function submitKyc(
  db: Database,
  meta: RequestMeta,
  settings: KycSettings,
  params: SubmitKycParams,
): Promise<KycAnswer> {
  const { userId, application } = params;
  return db.transaction(async (tx) => {
    await lockUser(tx, userId);
    const latest = await latestApplication(tx, userId);
    if (latest?.status === "verified")
      throw conflict("KYC_ALREADY_VERIFIED", "Your identity is already verified");
    if (latest && latest.status !== "rejected") {
      const [kept] = await tx
        .insert(kycResubmissions)
        .values({
          userId,
          applicationId: latest.id,
          legalName: application.legalName,
          dateOfBirth: application.dateOfBirth,
          country: application.country,
          documentType: application.documentType,
          documentNumberLast4: last4(application.documentNumber),
        })
        .returning({ id: kycResubmissions.id });
      await appendAudit(tx, meta, {
        action: "kyc.resubmitted",
        subjectType: "kyc_application",
        subjectId: latest.id,
        details: { userId, resubmissionId: kept?.id },
      });
      return { status: "review", message: REVIEW_MESSAGE };
    }

    const { status, checks } = runKycChecks(application, {
      sanctionsIndex: settings.sanctionsIndex,
      earlierIdentities: await identitiesOf(tx, userId),
      highRiskCountries: settings.highRiskCountries,
      sanctionsThreshold: settings.sanctionsThreshold,
      onHighRiskCountry: settings.onHighRiskCountry,
      now: settings.now,
    });
    const stored = checks.map(storedCheck);
    const now = new Date();
    const decided = status !== "review";
    const [row] = await tx
      .insert(kycApplications)
      .values({
        userId,
        legalName: application.legalName,
        dateOfBirth: application.dateOfBirth,
        country: application.country,
        address: application.address,
        documentType: application.documentType,
        documentNumberLast4: last4(application.documentNumber),
        status,
        checks: stored,
        submittedAt: now,
        decidedAt: decided ? now : null,
        decisionReason:
          status === "rejected"
            ? checks
                .filter((check) => check.result === "fail")
                .map((check) => check.detail)
                .join("; ")
            : null,
      })
      .returning({ id: kycApplications.id });
    if (!row) throw new Error("kyc application insert returned no row");

    const sanctions = checks[3];
    // No personal data in the audit log (it cannot be edited or erased): outcomes and list entry ids only.
    await appendAudit(tx, meta, {
      action: "kyc.submitted",
      subjectType: "kyc_application",
      subjectId: row.id,
      details: {
        userId,
        status,
        checks: Object.fromEntries(checks.map((check) => [check.name, check.result])),
        sanctionsMatches: sanctions.matches.map((match) => ({ entryId: match.entryId, score: match.score })),
      },
    });
    return applicantAnswer(status, stored);
  });
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

const applicationColumns = { application: kycApplications, userEmail: users.email };

async function withResubmissions(
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

export type KycDecisionParams = { userId: string; decision: "verified" | "rejected"; reason: string };

/**
 * An admin's decision on an application in review, audited in the same transaction. Only `review` can be
 * decided: the checks' own rejections (under age, bad document, listed name and birth date) are not
 * overridable, and an admin cannot decide their own application.
 */
export async function decideKyc(
  db: Database,
  meta: RequestMeta,
  params: KycDecisionParams,
): Promise<KycApplicationView> {
  if (meta.actorId === params.userId) throw forbidden("An admin cannot decide their own KYC application");
  return db.transaction(async (tx) => {
    await lockUser(tx, params.userId);
    const latest = await latestApplication(tx, params.userId);
    if (!latest) throw notFound("KYC application");
    if (latest.status !== "review") {
      throw conflict(
        "KYC_NOT_IN_REVIEW",
        `This user's KYC is ${latest.status}; only an application in review can be decided`,
        {
          status: latest.status,
        },
      );
    }
    await tx
      .update(kycApplications)
      .set({
        status: params.decision,
        decidedAt: new Date(),
        decidedBy: meta.actorId,
        decisionReason: params.reason,
      })
      .where(eq(kycApplications.id, latest.id));
    await appendAudit(tx, meta, {
      action: "kyc.decision",
      subjectType: "kyc_application",
      subjectId: latest.id,
      details: { userId: params.userId, from: latest.status, to: params.decision, reason: params.reason },
    });
    const [row] = await tx
      .select(applicationColumns)
      .from(kycApplications)
      .innerJoin(users, eq(users.id, kycApplications.userId))
      .where(eq(kycApplications.id, latest.id));
    if (!row) throw notFound("KYC application");
    const [view] = await withResubmissions(tx, [row]);
    return view as KycApplicationView;
  });
}

import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { kycApplications, kycResubmissions, type StoredKycCheck, users } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import type { Config } from "../config";
import { conflict, forbidden, notFound } from "../errors";
import { type EmitDeps, emitEvent } from "../webhooks/events";
import { type Identity, type KycCheck, runKycChecks, type SanctionsCheck } from "./kyc-checks";
/** A user's KYC state: their latest application's status, or `not_submitted`. */
import {
  applicantAnswer,
  applicationColumns,
  type KycAnswer,
  type KycApplicationView,
  latestApplication,
  REVIEW_MESSAGE,
  withResubmissions,
} from "./kyc-queries";
import type { ScreeningIndex } from "./sanctions/screen";
import type { KycSubmissionInput } from "./schemas";

/* KYC writes: submitting an application (checks, screening, audit) and an admin's decision. */

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
  if (!("matches" in check)) return { name, result, detail };
  const version = check.listVersion === undefined ? {} : { listVersion: check.listVersion };
  return { name, result, detail, matches: check.matches, ...version };
}

/** All the applicant is told while a compliance officer looks at their case, whatever the reason. */
async function lockUser(tx: Database, userId: string): Promise<void> {
  const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
  if (!user) throw notFound("User");
}

/** The status loans eligibility reads: `verified` is the only one that allows applying. */
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
  settings: KycSettings & EmitDeps,
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
    if (decided) await emitKycDecided(tx, settings, { userId, applicationId: row.id, status, at: now });
    return applicantAnswer(status, stored);
  });
}

/** Only the outcome: a client app may show it to the applicant, who must learn nothing of the screening. */
function emitKycDecided(
  tx: Database,
  deps: EmitDeps,
  decision: { userId: string; applicationId: string; status: string; at: Date },
) {
  return emitEvent(tx, deps, {
    type: "kyc.decided",
    orderKey: `user:${decision.userId}`,
    payload: { ...decision, at: decision.at.toISOString() },
  });
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
  events: EmitDeps = {},
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
    await emitKycDecided(tx, events, {
      userId: params.userId,
      applicationId: latest.id,
      status: params.decision,
      at: new Date(),
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

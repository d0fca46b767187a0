import { and, asc, eq, inArray } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { type ComplianceCase, caseAlerts, complianceCases } from "../../../db/schema";
import { appendAudit, type RequestMeta } from "../../audit/log";

export type OpenCaseParams = {
  meta: RequestMeta;
  userId: string;
  kind: ComplianceCase["kind"];
  reason: string;
};

/**
 * The customer's undecided case of this kind, or a new one: further alerts about someone already under
 * investigation join the case that is being worked. Call it inside the transaction that raised the alert.
 */
export async function openCase(tx: Database, params: OpenCaseParams): Promise<string> {
  const [existing] = await tx
    .select({ id: complianceCases.id })
    .from(complianceCases)
    .where(
      and(
        eq(complianceCases.userId, params.userId),
        eq(complianceCases.kind, params.kind),
        inArray(complianceCases.status, ["open", "investigating"]),
      ),
    )
    .orderBy(asc(complianceCases.seq))
    .limit(1)
    .for("update");
  if (existing) return existing.id;
  const [created] = await tx
    .insert(complianceCases)
    .values({ userId: params.userId, kind: params.kind })
    .returning({ id: complianceCases.id });
  if (!created) throw new Error("case insert returned no row");
  await appendAudit(tx, params.meta, {
    action: "case.opened",
    subjectType: "compliance_case",
    subjectId: created.id,
    details: { userId: params.userId, kind: params.kind, reason: params.reason },
  });
  return created.id;
}

export type AttachAlertsParams = { meta: RequestMeta; userId: string; alertIds: readonly string[] };

/** AML alerts become a case: they join the customer's undecided AML case, or open one. */
export async function attachAlertsToCase(tx: Database, params: AttachAlertsParams): Promise<string | null> {
  if (params.alertIds.length === 0) return null;
  const caseId = await openCase(tx, {
    meta: params.meta,
    userId: params.userId,
    kind: "aml",
    reason: "aml_alert",
  });
  await tx.insert(caseAlerts).values(params.alertIds.map((alertId) => ({ caseId, alertId })));
  await appendAudit(tx, params.meta, {
    action: "case.alerts_attached",
    subjectType: "compliance_case",
    subjectId: caseId,
    details: { userId: params.userId, alertIds: params.alertIds },
  });
  return caseId;
}

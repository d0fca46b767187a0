import { asc, desc, eq, inArray } from "drizzle-orm";
import type { Database } from "../../../db/client";
import {
  amlAlerts,
  type ComplianceCase,
  caseAlerts,
  caseNotes,
  kycApplications,
  moneyMovements,
  type SarDraft,
  sanctionsHits,
  users,
} from "../../../db/schema";
import { formatMoney } from "../../money";

export type BuildSarParams = { caseRow: ComplianceCase; preparedAt: Date };

/**
 * The suspicious-activity report draft: what FinCEN's SAR asks for, from the case. Subject: the customer's
 * identity as given at KYC; activity: the movements the alerts name (for a sanctions case, every movement of the
 * customer), their dates and amounts; the rules that fired; and the narrative, the case's notes in order.
 */
export async function buildSarDraft(tx: Database, params: BuildSarParams): Promise<SarDraft> {
  const { caseRow } = params;
  const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, caseRow.userId));
  const [kyc] = await tx
    .select()
    .from(kycApplications)
    .where(eq(kycApplications.userId, caseRow.userId))
    .orderBy(desc(kycApplications.seq))
    .limit(1);
  const alerts = await tx
    .select({
      rule: amlAlerts.rule,
      detail: amlAlerts.detail,
      createdAt: amlAlerts.createdAt,
      evidence: amlAlerts.evidence,
    })
    .from(caseAlerts)
    .innerJoin(amlAlerts, eq(amlAlerts.id, caseAlerts.alertId))
    .where(eq(caseAlerts.caseId, caseRow.id))
    .orderBy(asc(amlAlerts.seq));
  const hits = await tx.select().from(sanctionsHits).where(eq(sanctionsHits.caseId, caseRow.id));
  const notes = await tx
    .select({ body: caseNotes.body, createdAt: caseNotes.createdAt })
    .from(caseNotes)
    .where(eq(caseNotes.caseId, caseRow.id))
    .orderBy(asc(caseNotes.createdAt));
  const evidenced = [...new Set(alerts.flatMap((alert) => alert.evidence.movementIds))];
  const movements = await tx
    .select()
    .from(moneyMovements)
    .where(
      evidenced.length > 0
        ? inArray(moneyMovements.id, evidenced)
        : eq(moneyMovements.userId, caseRow.userId),
    )
    .orderBy(asc(moneyMovements.occurredAt))
    .limit(1000);
  const total = movements.reduce((sum, movement) => sum + movement.amountCents, 0);
  return {
    caseId: caseRow.id,
    preparedAt: params.preparedAt.toISOString(),
    subject: {
      userId: caseRow.userId,
      email: user?.email ?? "",
      legalName: kyc?.legalName ?? null,
      dateOfBirth: kyc?.dateOfBirth ?? null,
      country: kyc?.country ?? null,
      address: kyc?.address ?? null,
      documentType: kyc?.documentType ?? null,
      documentNumberLast4: kyc?.documentNumberLast4 ?? null,
    },
    activity: {
      from: movements[0]?.occurredAt.toISOString() ?? null,
      to: movements.at(-1)?.occurredAt.toISOString() ?? null,
      totalAmount: formatMoney(total),
      movements: movements.length,
    },
    amounts: movements.map((movement) => ({
      at: movement.occurredAt.toISOString(),
      kind: movement.kind,
      direction: movement.direction,
      amount: formatMoney(movement.amountCents),
      reference: movement.reference,
    })),
    rulesFired: [
      ...alerts.map((alert) => ({
        rule: alert.rule,
        detail: alert.detail,
        at: alert.createdAt.toISOString(),
      })),
      ...hits.map((hit) => ({
        rule: "sanctions_match",
        detail: `Sanctions list entry ${hit.entryId} "${hit.entryName}" (${hit.programs.join(", ") || "no program"}), score ${hit.score.toFixed(3)}, list version ${hit.versionId}`,
        at: hit.createdAt.toISOString(),
      })),
    ],
    sanctionsMatches: hits.map((hit) => ({
      entryId: hit.entryId,
      entryName: hit.entryName,
      programs: hit.programs,
      score: hit.score,
    })),
    narrative: notes.map((note) => `${note.createdAt.toISOString().slice(0, 10)}: ${note.body}`).join("\n\n"),
  };
}

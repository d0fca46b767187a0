import { z } from "zod";
import {
  amlAlertStatuses,
  amlRules,
  caseKinds,
  caseStatuses,
  moneyDirections,
  moneyMovementKinds,
} from "../../../db/schema";

const caseId = z.uuid({ error: "id must be a case id" });
export const caseIdInput = z.object({ id: caseId });

export const caseListItemSchema = z.object({
  id: z.uuid(),
  seq: z.number().int(),
  userId: z.uuid(),
  userEmail: z.string(),
  kind: z.enum(caseKinds),
  status: z.enum(caseStatuses),
  assigneeId: z.uuid().nullable(),
  openedAt: z.date(),
  decidedAt: z.date().nullable(),
  decidedBy: z.uuid().nullable(),
  closeReason: z.string().nullable(),
  ageDays: z.number().int(),
  overdue: z.boolean().meta({ description: "Undecided and older than CASE_SLA_DAYS" }),
});

export const caseDetailSchema = caseListItemSchema.extend({
  notes: z.array(
    z.object({ id: z.uuid(), authorId: z.uuid().nullable(), body: z.string(), createdAt: z.date() }),
  ),
  alerts: z.array(
    z.object({
      id: z.uuid(),
      rule: z.enum(amlRules),
      detail: z.string(),
      riskScore: z.number().int(),
      status: z.enum(amlAlertStatuses),
      createdAt: z.date(),
    }),
  ),
  sanctionsHits: z.array(
    z.object({
      entryId: z.number().int(),
      entryName: z.string(),
      programs: z.array(z.string()),
      matchedName: z.string(),
      screenedName: z.string(),
      score: z.number(),
      versionId: z.number().int(),
      createdAt: z.date(),
    }),
  ),
  movements: z.array(
    z.object({
      id: z.uuid(),
      kind: z.enum(moneyMovementKinds),
      direction: z.enum(moneyDirections),
      amount: z.string(),
      counterpartyCountry: z.string().nullable(),
      reference: z.string().nullable(),
      occurredAt: z.date(),
    }),
  ),
  reportAvailable: z.boolean(),
});

export const sarDraftSchema = z.object({
  caseId: z.uuid(),
  preparedAt: z.string(),
  subject: z.object({
    userId: z.uuid(),
    email: z.string(),
    legalName: z.string().nullable(),
    dateOfBirth: z.string().nullable(),
    country: z.string().nullable(),
    address: z.string().nullable(),
    documentType: z.string().nullable(),
    documentNumberLast4: z.string().nullable(),
  }),
  activity: z.object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    totalAmount: z.string(),
    movements: z.number().int(),
  }),
  amounts: z.array(
    z.object({
      at: z.string(),
      kind: z.string(),
      direction: z.string(),
      amount: z.string(),
      reference: z.string().nullable(),
    }),
  ),
  rulesFired: z.array(z.object({ rule: z.string(), detail: z.string(), at: z.string() })),
  sanctionsMatches: z.array(
    z.object({
      entryId: z.number().int(),
      entryName: z.string(),
      programs: z.array(z.string()),
      score: z.number(),
    }),
  ),
  narrative: z.string(),
});

const text = (field: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `${field} must not be empty`)
    .max(max, `${field} must be at most ${max} characters`);

export const caseNoteInput = z.object({ id: caseId, body: text("body", 10_000) });
export const caseCloseInput = z.object({ id: caseId, reason: text("reason", 2000) });
export const caseReportInput = z.object({ id: caseId, note: text("note", 10_000).optional() });
export const caseReportQuery = z.object({
  id: caseId,
  format: z
    .enum(["json", "pdf"], { error: 'format must be "json" or "pdf"' })
    .default("json")
    .meta({ description: "pdf answers application/pdf (the same draft, rendered)" }),
});

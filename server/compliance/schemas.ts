import { z } from "zod";
import { amlAlertStatuses, amlDispositions, amlRules, kycStatuses } from "../../db/schema";
import { isIsoCountryCode } from "../countries";
import { moneySchema } from "../money";
import { DOCUMENT_TYPES } from "./kyc-checks";

const text = (label: string, min: number, max: number) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(min, min === 1 ? `${label} is required` : `${label} must have at least ${min} characters`)
    .max(max, `${label} must be at most ${max} characters`);

/* ---------------------------------------------------------------- KYC */

/**
 * Only the shape is checked here. Age, the document number's format and the country's risk are KYC checks:
 * failing one rejects the application with its reason instead of answering 400.
 */
export const kycSubmissionSchema = z.object({
  legalName: text("legalName", 2, 200).regex(/\p{L}/u, "legalName must contain letters"),
  dateOfBirth: z.iso.date({ error: "dateOfBirth must be a date written yyyy-mm-dd, like 1985-04-12" }),
  country: z
    .string({ error: "country is required" })
    .trim()
    .toUpperCase()
    .refine(isIsoCountryCode, "country must be an ISO 3166-1 alpha-2 code, like GB or DE")
    .meta({ description: "ISO 3166-1 alpha-2", examples: ["GB"] }),
  address: text("address", 5, 500),
  documentType: z.enum(DOCUMENT_TYPES, {
    error: `documentType must be one of ${DOCUMENT_TYPES.join(", ")}`,
  }),
  documentNumber: text("documentNumber", 1, 40).meta({
    description: "Checked for its format, then discarded: only the last four characters are stored",
  }),
});
export type KycSubmissionInput = z.infer<typeof kycSubmissionSchema>;

export const kycCheckSchema = z.object({
  name: z.enum(["age", "document_number", "country", "sanctions"]),
  result: z.enum(["pass", "fail", "review"]),
  detail: z.string(),
});

export const kycStateSchema = z
  .enum(["not_submitted", ...kycStatuses])
  .meta({ description: "The latest application's status, or not_submitted" });

export const kycSubmitResultSchema = z.object({
  status: z.enum(kycStatuses),
  message: z.string().meta({ examples: ["Your verification needs a manual review"] }),
  checks: z
    .array(kycCheckSchema)
    .optional()
    .meta({ description: "The checks, when verified or rejected; absent while in review" }),
});

export const kycViewSchema = z.object({
  status: kycStateSchema,
  message: z.string(),
  canSubmit: z.boolean().meta({ description: "True when never submitted or after a rejection" }),
  submittedAt: z.date().nullable(),
  decidedAt: z.date().nullable(),
  checks: z.array(kycCheckSchema),
  missing: z.array(z.string()).meta({ description: "What stands between the user and a verified status" }),
});

const screeningMatchSchema = z.object({
  entryId: z.number().int(),
  entryName: z.string(),
  matchedName: z.string(),
  matchedAlias: z.boolean(),
  type: z.string(),
  programs: z.array(z.string()),
  score: z.number(),
  exact: z.boolean(),
  dobMatch: z.boolean(),
  datesOfBirth: z.array(z.string()),
  screenedName: z.string().optional().meta({ description: "Which of the applicant's names matched" }),
});

/** A check as the reviewer sees it: the sanctions check with the list entries it matched. */
export const reviewedCheckSchema = kycCheckSchema.extend({
  matches: z.array(screeningMatchSchema).optional(),
  listVersion: z
    .number()
    .int()
    .optional()
    .meta({ description: "The sanctions list version screened against" }),
});

export const kycApplicationSchema = z.object({
  id: z.uuid(),
  seq: z.number().int(),
  userId: z.uuid(),
  userEmail: z.string(),
  legalName: z.string(),
  dateOfBirth: z.string(),
  country: z.string(),
  address: z.string(),
  documentType: z.enum(DOCUMENT_TYPES),
  documentNumberLast4: z.string(),
  status: z.enum(kycStatuses),
  checks: z.array(reviewedCheckSchema),
  submittedAt: z.date(),
  decidedAt: z.date().nullable(),
  decidedBy: z.uuid().nullable().meta({ description: "The admin who decided; null when the checks decided" }),
  decisionReason: z.string().nullable(),
  resubmissions: z
    .array(
      z.object({
        id: z.uuid(),
        legalName: z.string(),
        dateOfBirth: z.string(),
        country: z.string(),
        documentType: z.enum(DOCUMENT_TYPES),
        documentNumberLast4: z.string(),
        submittedAt: z.date(),
      }),
    )
    .meta({
      description: "Submissions that arrived while this application was in review; they changed nothing",
    }),
});

export const kycDecisionSchema = z.object({
  userId: z.uuid({ error: "userId must be a user id" }),
  decision: z.enum(["verified", "rejected"], { error: 'decision must be "verified" or "rejected"' }),
  reason: text("reason", 1, 1000),
});

/* ---------------------------------------------------------------- AML */

export const amlAlertSchema = z.object({
  id: z.uuid(),
  seq: z.number().int(),
  userId: z.uuid(),
  userEmail: z.string(),
  rule: z.enum(amlRules),
  detail: z.string(),
  evidence: z.object({ movementIds: z.array(z.uuid()), amounts: z.array(moneySchema) }),
  riskScore: z.number().int().min(0).max(100),
  status: z.enum(amlAlertStatuses),
  disposition: z.enum(amlDispositions).nullable(),
  note: z.string().nullable(),
  createdAt: z.date(),
  closedAt: z.date().nullable(),
  closedBy: z.uuid().nullable(),
});

export const alertCloseSchema = z.object({
  id: z.uuid({ error: "id must be an alert id" }),
  disposition: z.enum(amlDispositions, { error: `disposition must be one of ${amlDispositions.join(", ")}` }),
  note: text("note", 1, 2000),
});

export const riskSchema = z.object({
  level: z.enum(["low", "medium", "high"]),
  score: z
    .number()
    .int()
    .min(0)
    .max(100)
    .meta({ description: "The highest open alert's risk score, 0 without alerts" }),
  openAlerts: z.number().int(),
});

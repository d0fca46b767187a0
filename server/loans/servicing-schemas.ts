import { z } from "zod";
import { restructureStatus, scheduleChangeCause } from "../../db/schema";
import { instalmentStates, loanStatuses, scheduleTypes } from "../../db/schema/loan-values";
import { moneyInput, moneySchema, rateInput, rateSchema } from "../money";
import { loanIdInput, termMonthsInput } from "./schemas";

/** Schemas of the servicing operations: payoff, restructure, write-off and recoveries, the book, statements. */

const isoDay = z.iso.date().meta({ description: "A calendar day, yyyy-mm-dd (UTC)" });
const dayInput = (label: string) =>
  z.iso
    .date({ error: `${label} must be a day written yyyy-mm-dd` })
    .refine((value) => !Number.isNaN(Date.parse(value)), {
      error: `${label} must be a real calendar day`,
    });
const reasonText = z
  .string({ error: "reason is required" })
  .trim()
  .min(1, "reason is required")
  .max(1000, "reason must be at most 1000 characters");

/* ---------------------------------------------------------------- payoff */

export const payoffInputSchema = loanIdInput.extend({
  date: dayInput("date").optional().meta({ description: "The payoff day; today (UTC) when omitted" }),
});

export const payoffSchema = z.object({
  date: isoDay,
  amount: moneySchema.meta({
    description: "principal + interest + fees: paying this on that day closes the loan",
  }),
  principal: moneySchema,
  interest: moneySchema.meta({
    description: "Interest due and unpaid, plus the running period's interest to that day",
  }),
  fees: moneySchema,
});
export type PayoffView = z.infer<typeof payoffSchema>;

export const scheduleVersionSchema = z.object({
  version: z.number().int(),
  cause: z.enum(scheduleChangeCause.enumValues).meta({ description: "What replaced this schedule" }),
  paymentId: z.uuid().nullable(),
  restructureId: z.uuid().nullable(),
  apr: rateSchema,
  termMonths: z.number().int(),
  monthlyPayment: moneySchema,
  replacedAt: z.date(),
  instalments: z.array(
    z.object({
      n: z.number().int(),
      dueDate: isoDay.nullable(),
      principal: moneySchema,
      interest: moneySchema,
      paidPrincipal: moneySchema,
      paidInterest: moneySchema,
      state: z.enum(instalmentStates),
    }),
  ),
});
export type ScheduleVersionView = z.infer<typeof scheduleVersionSchema>;

/* ---------------------------------------------------------------- restructuring */

export const proposeRestructureInputSchema = loanIdInput.extend({
  effectiveDate: dayInput("effectiveDate").optional().meta({
    description:
      "From this day the new terms apply; the first new instalment is due a month later. Today when omitted",
  }),
  termMonths: termMonthsInput
    .optional()
    .meta({ description: "New number of instalments; omitted: as many as remained" }),
  apr: rateInput({ label: "apr" })
    .optional()
    .meta({ description: "New annual rate; omitted: the loan's rate" }),
  capitaliseArrears: z
    .boolean({ error: "capitaliseArrears must be true or false" })
    .default(false)
    .meta({ description: "Fold arrears (and interest accrued so far, and fees) into the new principal" }),
  reason: reasonText,
});

export const restructureIdInput = loanIdInput.extend({
  restructureId: z.uuid({ error: "restructureId must be a restructure id" }),
});

export const restructureSchema = z.object({
  id: z.uuid(),
  loanId: z.uuid(),
  status: z.enum(restructureStatus.enumValues),
  effectiveDate: isoDay,
  termMonths: z.number().int().nullable(),
  apr: rateSchema.nullable(),
  capitaliseArrears: z.boolean(),
  reason: z.string(),
  proposedBy: z.uuid(),
  decidedBy: z.uuid().nullable(),
  createdAt: z.date(),
  decidedAt: z.date().nullable(),
  preview: z
    .object({
      principal: moneySchema,
      monthlyPayment: moneySchema,
      instalments: z.number().int(),
      firstDueDate: isoDay,
      capitalisedPrincipal: moneySchema,
      capitalisedInterest: moneySchema,
      capitalisedFees: moneySchema,
    })
    .nullable()
    .meta({ description: "The new schedule as the schedule stands now (on proposal and approval)" }),
});
export type RestructureView = z.infer<typeof restructureSchema>;

/* ---------------------------------------------------------------- write-off and recoveries */

export const writeOffInputSchema = loanIdInput.extend({ reason: reasonText });

export const writeOffSchema = z.object({
  loanId: z.uuid(),
  status: z.enum(loanStatuses),
  principal: moneySchema,
  interest: moneySchema,
  fees: moneySchema,
  total: moneySchema.meta({ description: "Debited to loan_losses" }),
  journalEntryId: z.uuid(),
});

export const recoveryInputSchema = loanIdInput.extend({
  amount: moneyInput({ label: "amount", allowZero: false }),
  reason: reasonText.meta({
    description: "Where the money came from, e.g. the agency and its remittance number",
  }),
  idempotencyKey: z.string().trim().min(1).max(255).optional(),
});

export const recoverySchema = z.object({
  loanId: z.uuid(),
  paymentId: z.uuid(),
  amount: moneySchema,
  recovered: moneySchema.meta({ description: "Credited to loan_losses" }),
  surplus: moneySchema.meta({ description: "Beyond the loss still standing: owed back to the borrower" }),
  lossRemaining: moneySchema,
  replayed: z.boolean(),
});

/* ---------------------------------------------------------------- the book */

export const dpdBuckets = ["current", "1-30", "31-60", "61-90", "90+"] as const;
export type DpdBucket = (typeof dpdBuckets)[number];

export const portfolioFilterSchema = z.object({
  status: z.enum(loanStatuses, { error: `status must be one of ${loanStatuses.join(", ")}` }).optional(),
  dpdBucket: z
    .enum(dpdBuckets, { error: `dpdBucket must be one of ${dpdBuckets.join(", ")}` })
    .optional()
    .meta({
      description: "Days past due of the oldest unpaid instalment: current (0), 1-30, 31-60, 61-90, 90+",
    }),
  disbursedFrom: dayInput("disbursedFrom").optional().meta({ description: "Paid out on or after this day" }),
  disbursedTo: dayInput("disbursedTo").optional().meta({ description: "Paid out on or before this day" }),
  borrower: z
    .union([z.uuid(), z.email()], { error: "borrower must be a user id or an email address" })
    .optional()
    .meta({ description: "The borrower's user id or email" }),
  productId: z
    .uuid({ error: "productId must be a product id" })
    .optional()
    .meta({ description: "Loans priced on this product (any of its versions)" }),
});
export type PortfolioFilter = z.infer<typeof portfolioFilterSchema>;

export const portfolioInputSchema = portfolioFilterSchema.extend({
  cursor: z.string().max(200).optional().meta({ description: "nextCursor of the previous page" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const portfolioItemSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  borrowerEmail: z.string(),
  status: z.enum(loanStatuses),
  scheduleType: z.enum(scheduleTypes),
  productId: z.uuid().nullable().meta({ description: "The product the loan was priced on" }),
  productVersion: z.number().int().nullable().meta({ description: "The product's version, kept for life" }),
  amount: moneySchema,
  apr: rateSchema,
  termMonths: z.number().int(),
  createdAt: z.date(),
  disbursedAt: z.date().nullable(),
  outstandingPrincipal: moneySchema.meta({ description: "Zero unless disbursed or defaulted" }),
  arrears: moneySchema.meta({ description: "Unpaid on instalments whose due day has passed" }),
  daysPastDue: z.number().int(),
  dpdBucket: z.enum(dpdBuckets),
});
export type PortfolioItem = z.infer<typeof portfolioItemSchema>;

export const portfolioTotalsSchema = z.object({
  loans: z.number().int(),
  outstandingPrincipal: moneySchema,
  arrears: moneySchema,
  byBucket: z.object(
    Object.fromEntries(dpdBuckets.map((bucket) => [bucket, z.number().int()])) as Record<
      DpdBucket,
      z.ZodNumber
    >,
  ),
});

export const portfolioSchema = z.object({
  items: z.array(portfolioItemSchema),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: "Pass as cursor for the next page; null on the last" }),
  totals: portfolioTotalsSchema.meta({
    description: "Over every loan the filters select, not only this page",
  }),
});
export type PortfolioView = z.infer<typeof portfolioSchema>;

/* ---------------------------------------------------------------- statements */

export const statementInputSchema = loanIdInput.extend({
  from: dayInput("from").optional().meta({ description: "First day; the payout's day when omitted" }),
  to: dayInput("to").optional().meta({ description: "Last day, included; today when omitted" }),
  format: z.enum(["json", "pdf"]).default("json").meta({ description: "pdf answers application/pdf" }),
});

export const statementLineKinds = [
  "disbursement",
  "interest",
  "fee",
  "payment",
  "capitalisation",
  "write_off",
  "recovery",
] as const;

export const statementLineSchema = z.object({
  date: isoDay,
  kind: z.enum(statementLineKinds),
  description: z.string(),
  amount: moneySchema,
  principal: moneySchema.meta({ description: "Payments: the principal part" }),
  interest: moneySchema.meta({ description: "Payments: the interest part" }),
  fees: moneySchema.meta({ description: "Payments: the fees part" }),
  effect: moneySchema.meta({ description: "What it added to (or, negative, took from) the balance" }),
  balance: moneySchema.meta({ description: "The balance after this line" }),
});
export type StatementLine = z.infer<typeof statementLineSchema>;

export const statementSchema = z.object({
  loanId: z.uuid(),
  borrower: z.object({ name: z.string(), email: z.string() }),
  status: z.enum(loanStatuses),
  amount: moneySchema,
  apr: rateSchema,
  from: isoDay,
  to: isoDay,
  openingBalance: moneySchema.meta({
    description: "Owed at the start of `from`: principal, interest due, fees",
  }),
  closingBalance: moneySchema.meta({ description: "Owed at the end of `to`" }),
  totals: z.object({ payments: moneySchema, interest: moneySchema, fees: moneySchema }),
  lines: z.array(statementLineSchema),
});
export type StatementView = z.infer<typeof statementSchema>;

import { z } from "zod";
import { scheduleTypes } from "../../../db/schema/loan-values";
import { MAX_TERM_MONTHS } from "../../config";
import { moneyInput, moneySchema, rateInput, rateSchema } from "../../money";
import { scoreBands } from "../../score-bands";

const months = (label: string) =>
  z
    .number({ error: `${label} must be a whole number of months` })
    .int(`${label} must be a whole number of months`)
    .min(1, `${label} must be at least 1`)
    .max(MAX_TERM_MONTHS, `${label} must be at most ${MAX_TERM_MONTHS}`);

/** Every term of a product, each optional: left out, it takes the default product's (or the edited version's) value. */
export const productFieldsInput = z.object({
  name: z
    .string({ error: "name must be a string" })
    .trim()
    .min(1, "name must not be empty")
    .max(100, "name must be at most 100 characters"),
  minAmount: moneyInput({ label: "minAmount", allowZero: false }),
  maxAmount: moneyInput({ label: "maxAmount", allowZero: false }),
  minTermMonths: months("minTermMonths"),
  maxTermMonths: months("maxTermMonths"),
  scheduleType: z.enum(scheduleTypes, { error: `scheduleType must be one of ${scheduleTypes.join(", ")}` }),
  scoreFloor: z
    .number({ error: "scoreFloor must be a whole number from 300 to 850" })
    .int("scoreFloor must be a whole number from 300 to 850")
    .min(300, "scoreFloor must be at least 300")
    .max(850, "scoreFloor must be at most 850"),
  maxDtiPercent: rateInput({ label: "maxDtiPercent", minBasisPoints: 1 }).meta({
    description: "Debt-to-income ceiling in percent, the new payment included (43 means 43 %)",
  }),
  graceDays: z
    .number({ error: "graceDays must be a whole number of days" })
    .int("graceDays must be a whole number of days")
    .min(0, "graceDays must not be negative")
    .max(365, "graceDays must be at most 365"),
  originationFeePercent: rateInput({ label: "originationFeePercent" }).meta({
    description: "Percent of the amount, charged at disbursement",
  }),
  originationFeeFixed: moneyInput({ label: "originationFeeFixed" }),
  originationFeeFinanced: z
    .boolean({ error: "originationFeeFinanced must be true or false" })
    .meta({ description: "True: added to the principal. False (default): deducted from the payout" }),
  lateFeeFixed: moneyInput({ label: "lateFeeFixed" }),
  lateFeePercent: rateInput({ label: "lateFeePercent" }).meta({
    description: "Percent of the overdue instalment, charged once it is past the grace days",
  }),
  lateFeeCap: moneyInput({ label: "lateFeeCap" }).nullable().meta({ description: "Null: no cap" }),
  pricing: z
    .array(
      z.object({
        band: z.enum(scoreBands, { error: `band must be one of ${scoreBands.join(", ")}` }),
        apr: rateInput({ label: "apr" }),
      }),
      { error: "pricing must be a list of { band, apr }" },
    )
    .meta({ description: "APR per score band; every band listed once" }),
});
export type ProductFields = Partial<z.infer<typeof productFieldsInput>>;

export const createProductInput = productFieldsInput.partial().required({ name: true });

export const productStatuses = ["active", "retired"] as const;

export const updateProductInput = productFieldsInput.partial().extend({
  id: z.uuid({ error: "id must be a product id" }),
  status: z
    .enum(productStatuses, { error: "status must be active or retired" })
    .optional()
    .meta({ description: "retired: no new loans may use it (loans already made keep their version)" }),
});

export const productSchema = z.object({
  id: z.uuid(),
  version: z.number().int(),
  status: z.enum(productStatuses),
  isDefault: z.boolean().meta({ description: "Used when a loan request names no productId" }),
  name: z.string(),
  minAmount: moneySchema,
  maxAmount: moneySchema,
  minTermMonths: z.number().int(),
  maxTermMonths: z.number().int(),
  scheduleType: z.enum(scheduleTypes),
  scoreFloor: z.number().int(),
  maxDtiPercent: rateSchema,
  graceDays: z.number().int(),
  originationFeePercent: rateSchema,
  originationFeeFixed: moneySchema,
  originationFeeFinanced: z.boolean(),
  lateFeeFixed: moneySchema,
  lateFeePercent: rateSchema,
  lateFeeCap: moneySchema.nullable(),
  pricing: z.array(z.object({ band: z.enum(scoreBands), apr: rateSchema })),
  versionCreatedAt: z.date(),
});
export type ProductView = z.infer<typeof productSchema>;

export const productListSchema = z.object({ items: z.array(productSchema) });

import { z } from "zod";

/* The JSON the credit tables store: declared here so the schema needs nothing from the credit domain. */

/**
 * The inputs both engines score, one shared contract. `null` means "not known"; each engine
 * says how it treats a missing input and lists the ones it met in `ScoreResult.missingInputs`.
 */
export const scoreInputsSchema = z.object({
  age: z.number().int().min(18).max(120).nullable(),
  monthlyIncome: z.number().min(0).nullable(), // currency units per month
  monthlyDebtPayments: z.number().min(0).nullable(),
  revolvingUtilization: z.number().min(0).max(100).nullable(), // ratio: 0.35 means 35 %
  openCreditLines: z.number().int().min(0).nullable(),
  realEstateLoans: z.number().int().min(0).nullable(),
  dependants: z.number().int().min(0).nullable(),
  pastDue30to59: z.number().int().min(0).nullable(),
  pastDue60to89: z.number().int().min(0).nullable(),
  pastDue90Plus: z.number().int().min(0).nullable(),
  creditHistoryYears: z.number().min(0).nullable(),
  recentInquiries: z.number().int().min(0).nullable(),
  walletAgeDays: z.number().int().min(0).nullable(),
  walletTxCount: z.number().int().min(0).nullable(),
});
export type ScoreInputs = z.infer<typeof scoreInputsSchema>;

export const reasonSchema = z.object({
  code: z.string().min(1),
  description: z.string().min(1),
  /** Points this factor cost against its best value; a positive integer. */
  impact: z.number().int().positive(),
});
export type Reason = z.infer<typeof reasonSchema>;

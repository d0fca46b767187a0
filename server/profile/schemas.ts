import { z } from "zod";
import { employmentStatuses, housingStatuses } from "../../db/schema";
import { moneyInput, moneySchema } from "../money";

const count = (label: string) =>
  z
    .number({ error: `${label} must be a whole number` })
    .int()
    .min(0)
    .max(1000);
const years = (label: string) =>
  z
    .number({ error: `${label} must be a number of years` })
    .min(0)
    .max(100);

const isoDate = z.iso.date({ error: "dateOfBirth must be a date like 1985-04-12" }).refine((value) => {
  const date = new Date(`${value}T00:00:00Z`);
  return date.getTime() < Date.now() && date.getUTCFullYear() >= 1900;
}, "dateOfBirth must be in the past and after 1900");

/** The financial fields a user declares; every one may be null (not given yet). */
export const financialProfileInputSchema = z.object({
  dateOfBirth: isoDate.nullable(),
  dependants: count("dependants").nullable(),
  annualIncome: moneyInput({ label: "annualIncome" }).nullable(),
  monthlyDebtPayments: moneyInput({ label: "monthlyDebtPayments" }).nullable(),
  employmentStatus: z.enum(employmentStatuses).nullable(),
  employmentYears: years("employmentYears").nullable(),
  housing: z.enum(housingStatuses).nullable(),
  openCreditLines: count("openCreditLines").nullable(),
  realEstateLoans: count("realEstateLoans").nullable(),
  revolvingUtilizationPercent: z
    .number({ error: "revolvingUtilizationPercent must be a number" })
    .min(0)
    .max(10_000)
    .nullable()
    .meta({ description: "Revolving balances as a percentage of credit limits (35 means 35 %)" }),
  pastDue30to59: count("pastDue30to59").nullable(),
  pastDue60to89: count("pastDue60to89").nullable(),
  pastDue90Plus: count("pastDue90Plus").nullable(),
  creditHistoryYears: years("creditHistoryYears").nullable(),
  recentInquiries: count("recentInquiries").nullable(),
});

const phoneNumber = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, "phoneNumber must be in international E.164 form, like +14155550123")
  .nullable();

export const profilePatchSchema = financialProfileInputSchema
  .extend({ name: z.string().trim().min(1).max(200), phoneNumber })
  .partial()
  .strict();

export type ProfilePatch = z.infer<typeof profilePatchSchema>;

/** The wallet is read here but set only by a verified link (POST /wallet/link), never by a patch. */
export const financialProfileSchema = financialProfileInputSchema.extend({
  phoneNumber: z.string().nullable(),
  dateOfBirth: z.string().nullable(),
  annualIncome: moneySchema.nullable(),
  monthlyDebtPayments: moneySchema.nullable(),
  annualIncomeVerified: z.boolean().meta({
    description:
      "A member of staff checked the declared annual income against evidence (it then counts in full)",
  }),
  walletAddress: z.string().nullable(),
  updatedAt: z.date(),
});

export type FinancialProfileView = z.infer<typeof financialProfileSchema>;

import { z } from "zod";
import { prepaymentChoices } from "../../db/schema";
import { instalmentStates, ledgerAccounts, loanStatuses, scheduleTypes } from "../../db/schema/loan-values";
import { moneyInput, moneySchema, rateInput, rateSchema } from "../money";
import { seqCursor } from "../pagination";
import { scoreBands } from "../score-bands";
import { paymentSchema } from "./payment-view";

/* ---------------------------------------------------------------- inputs */

/** Positive amounts; the configured range is checked by the service, which knows the limits. */
export const loanAmountInput = moneyInput({ label: "amount", allowZero: false });

export const termMonthsInput = z
  .number({
    error: (issue) =>
      issue.input === undefined ? "termMonths is required" : "termMonths must be a whole number of months",
  })
  .int("termMonths must be a whole number of months")
  .positive("termMonths must be greater than zero")
  .meta({ description: "Number of monthly instalments", examples: [12] });

export const scheduleTypeInput = z
  .enum(scheduleTypes, { error: `scheduleType must be one of ${scheduleTypes.join(", ")}` })
  .optional()
  .meta({
    description:
      "equal_installments (level payments) or equal_principal (declining balance); omitted, the product's (the default product's is equal_installments)",
  });

export const productIdInput = z
  .uuid({ error: "productId must be a loan product id" })
  .optional()
  .meta({ description: "The loan product (GET /api/loans/products); omitted, the default product" });

export const idempotencyKeyInput = z
  .string()
  .trim()
  .min(1, "idempotencyKey must not be empty")
  .max(255, "idempotencyKey must be at most 255 characters")
  .optional()
  .meta({
    description:
      "For tRPC callers; REST callers send the Idempotency-Key header. When both are given, this one is used.",
  });

/** Documents the header on the REST operations that take it (the adapter passes headers through; the service checks it). */
export const idempotencyHeaders = z.object({
  "Idempotency-Key": z.string().min(1).max(255).meta({
    description:
      "Required. A unique value per intended operation (a UUID); a retry with the same key and body gets the first answer",
  }),
});

export const calculateInputSchema = z.object({
  productId: productIdInput,
  amount: loanAmountInput,
  termMonths: termMonthsInput,
  scheduleType: scheduleTypeInput,
  apr: rateInput({ label: "apr" })
    .optional()
    .meta({ description: "Annual rate in percent; omitted, it is priced from your latest credit score" }),
});

export const applyInputSchema = z.object({
  productId: productIdInput,
  amount: loanAmountInput,
  termMonths: termMonthsInput,
  purpose: z
    .string({ error: "purpose is required" })
    .trim()
    .min(1, "purpose is required")
    .max(200, "purpose must be at most 200 characters"),
  scheduleType: scheduleTypeInput,
  idempotencyKey: idempotencyKeyInput,
});

export const loanIdInput = z.object({ id: z.uuid({ error: "id must be a loan id" }) });

export const repayInputSchema = loanIdInput.extend({
  amount: loanAmountInput,
  idempotencyKey: idempotencyKeyInput,
  prepayment: z
    .enum(prepaymentChoices, { error: `prepayment must be one of ${prepaymentChoices.join(", ")}` })
    .optional()
    .meta({
      description:
        "What the part above what is due does: shorten_term (same instalment, fewer of them) or reduce_instalment " +
        "(same number, smaller). It pays the interest accrued so far, then reduces the principal, and the schedule is " +
        "re-amortised when the payment settles (the old one is kept). Omitted: it pays the next instalments as scheduled.",
    }),
});

export const settleInputSchema = loanIdInput.extend({
  paymentId: z.uuid({ error: "paymentId must be a payment id" }),
  reason: z
    .string({ error: "reason is required" })
    .trim()
    .min(1, "reason is required")
    .max(1000, "reason must be at most 1000 characters")
    .meta({ description: "How the money was received, e.g. the branch and receipt number" }),
  amount: loanAmountInput
    .optional()
    .meta({ description: "What was received; the payment's amount when omitted" }),
});

const reasonText = (label: string) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(1000, `${label} must be at most 1000 characters`);

export const rejectInputSchema = loanIdInput.extend({
  reason: reasonText("reason"),
  creditReason: z
    .boolean({ error: "creditReason must be true or false" })
    .default(true)
    .meta({
      description:
        "Refused on the application's credit merits (the default): the applicant gets an adverse-action notice " +
        "(GET /api/loans/{id}/notice). false for anything else, such as a request of the applicant.",
    }),
});
export const decisionInputSchema = loanIdInput.extend({ reason: reasonText("reason").optional() });

const limit = z.coerce.number().int().min(1).max(100).default(20);
const cursor = z.string().max(200).optional().meta({ description: "nextCursor of the previous page" });

export const listLoansInputSchema = z.object({
  status: z.enum(loanStatuses, { error: `status must be one of ${loanStatuses.join(", ")}` }).optional(),
  cursor,
  limit,
});
export const queueInputSchema = z.object({ cursor, limit });
export const ledgerInputSchema = z.object({
  loanId: z
    .uuid({ error: "loanId must be a loan id" })
    .optional()
    .meta({ description: "Only this loan's postings" }),
});

/* ---------------------------------------------------------------- outputs */

const isoDay = z.iso.date().meta({ description: "A calendar day, yyyy-mm-dd (UTC)" });

export const scheduleRowSchema = z.object({
  n: z.number().int(),
  dueDate: isoDay,
  payment: moneySchema,
  principal: moneySchema,
  interest: moneySchema,
  balance: moneySchema.meta({ description: "Principal still owed after this instalment" }),
});

export const disclosureSchema = z
  .object({
    apr: rateSchema,
    financeCharge: moneySchema.meta({ description: "The dollar amount the credit will cost" }),
    amountFinanced: moneySchema,
    totalOfPayments: moneySchema,
    prepaidFinanceCharge: moneySchema.meta({
      description: "The origination fee, part of the finance charge",
    }),
    payments: z.array(z.object({ count: z.number().int(), amount: moneySchema, firstDueDate: isoDay })),
  })
  .meta({ description: "Truth-in-Lending disclosure (Regulation Z, 12 CFR 1026.18)" });

export const termsSchema = z.object({
  amount: moneySchema,
  termMonths: z.number().int(),
  apr: rateSchema,
  scheduleType: z.enum(scheduleTypes),
  product: z.object({ id: z.uuid(), version: z.number().int(), name: z.string() }),
  originationFee: moneySchema,
  originationFeeFinanced: z.boolean(),
  principal: moneySchema.meta({
    description: "What the schedule amortises: the amount, plus the fee if financed",
  }),
  payout: moneySchema.meta({
    description: "What the borrower receives: the amount, less the fee if deducted",
  }),
  monthlyPayment: moneySchema.meta({ description: "Equal principal: the first (largest) payment" }),
  totalInterest: moneySchema,
  totalPayable: moneySchema,
  pricing: z.object({
    source: z.enum(["score", "requested"]),
    band: z.enum(scoreBands).nullable(),
    score: z.number().int().nullable(),
  }),
  disclosure: disclosureSchema,
  schedule: z.array(scheduleRowSchema).meta({ description: "Dates as if the loan were paid out today" }),
});
export type TermsView = z.infer<typeof termsSchema>;

export const loanSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  status: z.enum(loanStatuses),
  amount: moneySchema,
  termMonths: z.number().int(),
  purpose: z.string(),
  scheduleType: z.enum(scheduleTypes),
  apr: rateSchema,
  monthlyPayment: moneySchema,
  score: z.number().int().nullable().meta({ description: "The credit score the APR was priced on" }),
  productId: z
    .uuid()
    .nullable()
    .meta({ description: "The loan product; null for loans made before products" }),
  productVersion: z
    .number()
    .int()
    .nullable()
    .meta({ description: "The product version it was priced on, for life" }),
  originationFee: moneySchema,
  originationFeeFinanced: z.boolean(),
  nextStatuses: z
    .array(z.enum(loanStatuses))
    .meta({ description: "Where the workflow can take it from here" }),
  createdAt: z.date(),
  approvedAt: z.date().nullable(),
  disbursedAt: z.date().nullable(),
  closedAt: z.date().nullable(),
});
export type LoanView = z.infer<typeof loanSchema>;

/** A stored answer read back: JSON has no dates. */
export const storedLoanSchema = loanSchema.extend({
  productId: z.uuid().nullable().default(null),
  productVersion: z.number().int().nullable().default(null),
  originationFee: moneySchema.default("0.00"),
  originationFeeFinanced: z.boolean().default(false),
  createdAt: z.coerce.date(),
  approvedAt: z.coerce.date().nullable(),
  disbursedAt: z.coerce.date().nullable(),
  closedAt: z.coerce.date().nullable(),
});

export const instalmentSchema = z.object({
  n: z.number().int(),
  dueDate: isoDay.nullable().meta({ description: "Set at disbursement; null before" }),
  payment: moneySchema,
  principal: moneySchema,
  interest: moneySchema,
  paidPrincipal: moneySchema,
  paidInterest: moneySchema,
  paid: moneySchema,
  remaining: moneySchema,
  state: z.enum(instalmentStates),
  paidAt: z.date().nullable(),
  lateAt: z.date().nullable().meta({ description: "When it first went past its grace period" }),
});

export const transitionSchema = z.object({
  from: z.enum(loanStatuses).nullable(),
  to: z.enum(loanStatuses),
  actorId: z.uuid().nullable().meta({
    description: "Null when the system made the change: the delinquency job, the provider's settlement",
  }),
  reason: z.string().nullable(),
  at: z.date(),
});

export const loanDetailSchema = loanSchema.extend({
  totalInterest: moneySchema,
  totalPayable: moneySchema,
  paid: moneySchema.meta({ description: "Everything repaid so far" }),
  outstanding: moneySchema.meta({
    description: "What remains due on the schedule (zero before disbursement); paying it closes the loan",
  }),
  scheduleFixed: z.boolean().meta({ description: "False before approval: the schedule shown is the quote" }),
  schedule: z.array(instalmentSchema),
  payments: z.array(paymentSchema).meta({
    description: "Repayments the borrower started, oldest first: pending until settled, then booked",
  }),
  history: z.array(transitionSchema),
});
export type LoanDetailView = z.infer<typeof loanDetailSchema>;

export const loanPageSchema = z.object({
  items: z.array(loanSchema),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: "Pass as `cursor` for the next page; null on the last" }),
});

export const refusalsInputSchema = z.object({
  userId: z
    .uuid({ error: "userId must be a user id" })
    .optional()
    .meta({ description: "Only this applicant's" }),
  cursor: seqCursor,
  limit,
});

export const loanRefusalSchema = z.object({
  id: z.uuid(),
  seq: z.number().int(),
  userId: z.uuid(),
  code: z.string().meta({ description: "The real reason's code (AML_HIGH_RISK, DTI_TOO_HIGH, …)" }),
  reason: z.string(),
  disclosedCode: z
    .string()
    .meta({ description: "What the applicant was answered: the code, or NOT_ELIGIBLE" }),
  amount: moneySchema,
  termMonths: z.number().int(),
  at: z.date(),
});
export type LoanRefusalView = z.infer<typeof loanRefusalSchema>;

export const refusalPageSchema = z.object({
  items: z.array(loanRefusalSchema),
  nextCursor: z.number().int().nullable(),
});

export const incomeVerificationInputSchema = z.object({
  userId: z.uuid({ error: "userId must be a user id" }),
  annualIncome: moneyInput({ label: "annualIncome", allowZero: false }).meta({
    description: "The annual income the evidence shows; it must be the one the profile declares",
  }),
  evidence: z
    .string({ error: "evidence is required" })
    .trim()
    .min(1, "evidence is required")
    .max(1000, "evidence must be at most 1000 characters")
    .meta({ description: "What was checked, e.g. 2024 tax return and three payslips" }),
});

export const incomeVerificationSchema = z.object({
  userId: z.uuid(),
  annualIncome: moneySchema,
  verifiedAt: z.date(),
  verifiedBy: z.uuid(),
});

export const trialBalanceSchema = z.object({
  accounts: z.array(
    z.object({
      account: z.enum(ledgerAccounts),
      debit: moneySchema,
      credit: moneySchema,
      balance: moneySchema.meta({ description: "In the account's normal direction" }),
    }),
  ),
  totalDebit: moneySchema,
  totalCredit: moneySchema,
  balanced: z.boolean(),
  entries: z.number().int().meta({ description: "Journal entries counted" }),
});
export type TrialBalanceView = z.infer<typeof trialBalanceSchema>;

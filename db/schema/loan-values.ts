/**
 * The value lists the loans tables store as Postgres enums. They live beside the schema so the schema needs
 * nothing from the domain; the loans domain gives them their meaning (transitions, journal rules, schedules).
 */

export const loanStatuses = [
  "submitted",
  "approved",
  "rejected",
  "withdrawn",
  "disbursed",
  "repaid",
  "defaulted",
  "written_off",
] as const;
export type LoanStatus = (typeof loanStatuses)[number];

export const ledgerAccounts = [
  "cash",
  "loans_receivable",
  "interest_receivable",
  "interest_income",
  "overpayments",
  "fees_receivable",
  "fee_income",
  "loan_losses",
] as const;
export type LedgerAccount = (typeof ledgerAccounts)[number];

/** `restructured`: replaced by a restructure that capitalised what it still owed (the old schedule is archived). */
export const instalmentStates = ["pending", "paid", "late", "partially_paid", "restructured"] as const;
export type InstalmentState = (typeof instalmentStates)[number];

export const scheduleTypes = ["equal_installments", "equal_principal"] as const;
export type ScheduleType = (typeof scheduleTypes)[number];

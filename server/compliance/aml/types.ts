export type MovementDirection = "in" | "out";

/** One money movement on a user's ledger (a loan disbursement, a repayment, ...). */
export type Movement = {
  id: string;
  /** Positive integer cents. */
  amountCents: number;
  direction: MovementDirection;
  kind: string;
  /** ISO 3166-1 alpha-2 of the other party, when known. */
  counterpartyCountry: string | null;
  occurredAt: Date;
};

export const AML_RULES = ["large_amount", "structuring", "velocity", "high_risk_country"] as const;
export type AmlRule = (typeof AML_RULES)[number];

export type AmlHit = {
  rule: AmlRule;
  /** The movements that make the pattern, oldest first, with their amounts in cents. */
  evidence: { movementIds: string[]; amounts: number[] };
  /** 0–100. */
  riskScore: number;
  /** One line for the alert list, e.g. "3 amounts between 8,000.00 and 10,000.00 within 7 days". */
  detail: string;
};

import { and, desc, eq, lt } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../db/client";
import { adverseActionNotices, creditScores, type Loan, noticeSources } from "../../db/schema";
import { SCORE_MAX, SCORE_MIN } from "../credit/inputs";
import { notFound } from "../errors";
import { formatMoney } from "../money";
import { seqPage } from "../pagination";
import { assertCanRead, type Viewer } from "./access";
import type { EligibilityCode } from "./eligibility";

/**
 * Adverse-action notices (Regulation B, 12 CFR 1002.9): an applicant refused credit is told the decision, the
 * principal reasons for it (at most four, in words), the credit score used with its range and date, and the
 * ECOA notice. Each notice is stored as given, so what the applicant was told can always be shown again.
 */

/** Who the notice comes from: the creditor's name and address, built once from the configuration. */
export type Creditor = { name: string; address: string };

/** What issuing a notice needs from start-up. */
export type NoticeDeps = { creditor: Creditor };

/**
 * The ECOA notice of 1002.9(b)(1), with the agency that oversees a creditor that is not a bank (the FTC):
 * appendix A of Regulation B.
 */
export const ECOA_NOTICE =
  "The Federal Equal Credit Opportunity Act prohibits creditors from discriminating against credit applicants " +
  "on the basis of race, color, religion, national origin, sex, marital status, age (provided the applicant has " +
  "the capacity to enter into a binding contract); because all or part of the applicant's income derives from " +
  "any public assistance program; or because the applicant has in good faith exercised any right under the " +
  "Consumer Credit Protection Act. The Federal agency that administers compliance with this law concerning " +
  "this creditor is the Federal Trade Commission, Equal Credit Opportunity, Washington, DC 20580.";

const MAX_REASONS = 4;

const noticeReasonSchema = z.object({ code: z.string(), description: z.string() });

export const adverseActionNoticeSchema = z.object({
  id: z.uuid(),
  source: z.enum(noticeSources),
  /** The rejected loan; null for an application refused before it became one. */
  loanId: z.uuid().nullable(),
  issuedAt: z.coerce.date(),
  creditor: z.object({ name: z.string(), address: z.string() }),
  decision: z.object({
    outcome: z.literal("declined"),
    /** The decision in a sentence: what was applied for, and that it was declined. */
    statement: z.string(),
    amountCents: z.number().int(),
    termMonths: z.number().int(),
    decidedAt: z.coerce.date(),
  }),
  /** The principal reasons, most important first, at most four; never a protected characteristic. */
  reasons: z.array(noticeReasonSchema).max(MAX_REASONS),
  /** The credit score the decision used; null when none was (the application was refused before scoring mattered). */
  score: z
    .object({
      value: z.number().int(),
      range: z.object({ min: z.literal(SCORE_MIN), max: z.literal(SCORE_MAX) }),
      calculatedAt: z.coerce.date(),
      engine: z.string(),
      modelVersion: z.string(),
      /** The factors that lowered the score most, in words (the same as the score's reason codes). */
      keyFactors: z.array(noticeReasonSchema).max(MAX_REASONS),
    })
    .nullable(),
  ecoaNotice: z.string(),
});
export type AdverseActionNotice = z.infer<typeof adverseActionNoticeSchema>;
type NoticeReason = z.infer<typeof noticeReasonSchema>;

/**
 * The eligibility refusals that are credit decisions, with the reason they state first. The others are not
 * adverse action on the application's merits (identity unverified, too many applications, a score to
 * recalculate: the applicant can complete the application), or may not be disclosed (AML risk).
 */
const CREDIT_REFUSALS: Partial<Record<EligibilityCode, NoticeReason | null>> = {
  SCORE_BELOW_FLOOR: null,
  DTI_TOO_HIGH: { code: "DTI", description: "Excessive obligations in relation to income" },
  HAS_DEFAULTED_LOAN: {
    code: "DEFAULT",
    description: "Delinquent past or present credit obligations with us",
  },
};

export const isCreditRefusal = (code: EligibilityCode): boolean => code in CREDIT_REFUSALS;

type ScoreUsed = Pick<
  typeof creditScores.$inferSelect,
  "score" | "calculatedAt" | "engine" | "modelVersion" | "reasons"
>;

export type BuildNoticeParams = {
  id: string;
  source: AdverseActionNotice["source"];
  loanId: string | null;
  creditor: Creditor;
  amountCents: number;
  termMonths: number;
  decidedAt: Date;
  /** A reason stated before the score's own (the rule that refused), or none. */
  leadingReason: NoticeReason | null;
  score: ScoreUsed | null;
};

/** The notice as a plain value: the score's reasons in words after the leading one, at most four in all. */
export function buildNotice(params: BuildNoticeParams): AdverseActionNotice {
  const keyFactors = (params.score?.reasons ?? []).map(({ code, description }) => ({ code, description }));
  const leading = params.leadingReason;
  // The rule's reason may be one of the score's too (obligations against income): stated once.
  const reasons = [
    ...(leading ? [leading] : []),
    ...keyFactors.filter((factor) => factor.description !== leading?.description),
  ].slice(0, MAX_REASONS);
  return {
    id: params.id,
    source: params.source,
    loanId: params.loanId,
    issuedAt: params.decidedAt,
    creditor: params.creditor,
    decision: {
      outcome: "declined",
      statement: `Your application for a loan of ${formatMoney(params.amountCents)} over ${params.termMonths} months has been declined.`,
      amountCents: params.amountCents,
      termMonths: params.termMonths,
      decidedAt: params.decidedAt,
    },
    reasons,
    score: params.score && {
      value: params.score.score,
      range: { min: SCORE_MIN, max: SCORE_MAX },
      calculatedAt: params.score.calculatedAt,
      engine: params.score.engine,
      modelVersion: params.score.modelVersion,
      keyFactors: keyFactors.slice(0, MAX_REASONS),
    },
    ecoaNotice: ECOA_NOTICE,
  };
}

async function scoreById(tx: Database, scoreId: string | null): Promise<ScoreUsed | null> {
  if (!scoreId) return null;
  const [row] = await tx
    .select({
      score: creditScores.score,
      calculatedAt: creditScores.calculatedAt,
      engine: creditScores.engine,
      modelVersion: creditScores.modelVersion,
      reasons: creditScores.reasons,
    })
    .from(creditScores)
    .where(eq(creditScores.id, scoreId));
  return row ?? null;
}

async function storeNotice(
  tx: Database,
  row: { userId: string; loanId: string | null; refusalId: string | null },
  build: (id: string) => AdverseActionNotice,
): Promise<AdverseActionNotice> {
  const id = crypto.randomUUID();
  const notice = build(id);
  await tx.insert(adverseActionNotices).values({
    id,
    userId: row.userId,
    source: notice.source,
    loanId: row.loanId,
    refusalId: row.refusalId,
    body: JSON.parse(JSON.stringify(notice)),
    issuedAt: notice.issuedAt,
  });
  return notice;
}

export type RefusalNoticeParams = {
  userId: string;
  refusalId: string;
  code: EligibilityCode;
  amountCents: number;
  termMonths: number;
  scoreId: string | null;
  now: Date;
};

/** Issues and keeps the notice of an application refused by a credit rule; null for the other refusals. */
export async function issueRefusalNotice(
  tx: Database,
  deps: NoticeDeps,
  params: RefusalNoticeParams,
): Promise<AdverseActionNotice | null> {
  if (!isCreditRefusal(params.code)) return null;
  const score = await scoreById(tx, params.scoreId);
  return storeNotice(tx, { userId: params.userId, loanId: null, refusalId: params.refusalId }, (id) =>
    buildNotice({
      id,
      source: "eligibility",
      loanId: null,
      creditor: deps.creditor,
      amountCents: params.amountCents,
      termMonths: params.termMonths,
      decidedAt: params.now,
      leadingReason: CREDIT_REFUSALS[params.code] ?? null,
      score,
    }),
  );
}

export type RejectionNoticeParams = {
  loan: Loan;
  /** The underwriter's reason, stated first. */
  reason: string;
  now: Date;
};

/** Issues and keeps the notice of a loan an underwriter rejected, inside the rejection's transaction. */
export async function issueRejectionNotice(
  tx: Database,
  deps: NoticeDeps,
  params: RejectionNoticeParams,
): Promise<AdverseActionNotice> {
  const { loan } = params;
  const score = await scoreById(tx, loan.scoreId);
  return storeNotice(tx, { userId: loan.userId, loanId: loan.id, refusalId: null }, (id) =>
    buildNotice({
      id,
      source: "underwriter",
      loanId: loan.id,
      creditor: deps.creditor,
      amountCents: loan.amountCents,
      termMonths: loan.termMonths,
      decidedAt: params.now,
      leadingReason: { code: "UNDERWRITER", description: params.reason },
      score,
    }),
  );
}

/** The notice of a rejected loan, or null (not rejected, or rejected before notices existed); for events too. */
export async function loanRejectionNotice(db: Database, loanId: string): Promise<AdverseActionNotice | null> {
  const [row] = await db
    .select({ body: adverseActionNotices.body })
    .from(adverseActionNotices)
    .where(eq(adverseActionNotices.loanId, loanId));
  return row ? adverseActionNoticeSchema.parse(row.body) : null;
}

export type LoanNoticeParams = { viewer: Viewer; loanId: string };

/** A rejected loan's notice, for its applicant or staff; another user's loan, or a loan without one, is a 404. */
export async function getLoanNotice(db: Database, params: LoanNoticeParams): Promise<AdverseActionNotice> {
  const [row] = await db
    .select({ userId: adverseActionNotices.userId, body: adverseActionNotices.body })
    .from(adverseActionNotices)
    .where(eq(adverseActionNotices.loanId, params.loanId));
  if (!row) throw notFound("Adverse-action notice");
  assertCanRead(params.viewer, row);
  return adverseActionNoticeSchema.parse(row.body);
}

export type ListNoticesParams = { userId: string; cursor?: number; limit: number };

/** The user's own notices, newest first, a page at a time (the cursor is the last `seq` seen). */
export async function listOwnNotices(
  db: Database,
  params: ListNoticesParams,
): Promise<{ items: AdverseActionNotice[]; nextCursor: number | null }> {
  const rows = await db
    .select({ seq: adverseActionNotices.seq, body: adverseActionNotices.body })
    .from(adverseActionNotices)
    .where(
      and(
        eq(adverseActionNotices.userId, params.userId),
        params.cursor === undefined ? undefined : lt(adverseActionNotices.seq, params.cursor),
      ),
    )
    .orderBy(desc(adverseActionNotices.seq))
    .limit(params.limit + 1);
  const { page, nextCursor } = seqPage(rows, params.limit, (row) => row.seq);
  return { items: page.map((row) => adverseActionNoticeSchema.parse(row.body)), nextCursor };
}

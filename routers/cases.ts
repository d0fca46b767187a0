import { z } from "zod";
import { caseStatuses } from "../db/schema";
import {
  addCaseNote,
  closeCase,
  getCaseReport,
  reportCase,
  takeCase,
} from "../server/compliance/cases/commands";
import { getCase, listCases } from "../server/compliance/cases/queries";
import {
  caseCloseInput,
  caseDetailSchema,
  caseIdInput,
  caseListItemSchema,
  caseNoteInput,
  caseReportInput,
  caseReportQuery,
  sarDraftSchema,
} from "../server/compliance/cases/schemas";
import { pageLimit, seqCursor } from "../server/pagination";
import { roleProcedure, router } from "../server/trpc";

const tags = ["admin", "compliance"];
const adminProcedure = roleProcedure("admin");
const limit = pageLimit(50);
const openapi = (method: "GET" | "POST", path: `/${string}`, summary: string, description?: string) => ({
  openapi: { method, path, tags, summary, description, protect: true },
});

/** Compliance cases: AML alerts and sanctions hits worked from open to closed or reported. */
export const casesRouter = router({
  list: adminProcedure
    .meta(openapi("GET", "/admin/cases", "List compliance cases, oldest first (overdue ones flagged)"))
    .input(
      z.object({
        status: z.enum(caseStatuses).optional(),
        assigneeId: z.uuid().optional(),
        minAgeDays: z.coerce.number().int().min(0).max(36_500).optional(),
        overdue: z.stringbool().optional(),
        cursor: seqCursor,
        limit,
      }),
    )
    .output(z.object({ items: z.array(caseListItemSchema), nextCursor: z.number().int().nullable() }))
    .query(({ ctx, input }) => listCases(ctx.db, ctx.cases, input)),

  get: adminProcedure
    .meta(
      openapi("GET", "/admin/cases/{id}", "A case with its alerts, hits, notes and the customer's movements"),
    )
    .input(caseIdInput)
    .output(caseDetailSchema)
    .query(({ ctx, input }) => getCase(ctx.db, ctx.cases, { caseId: input.id })),

  take: adminProcedure
    .meta(
      openapi("POST", "/admin/cases/{id}/take", "Take a case: you become its assignee, it is investigating"),
    )
    .input(caseIdInput)
    .output(caseDetailSchema)
    .mutation(({ ctx, input }) => takeCase(ctx.db, ctx.cases, { meta: ctx.request, caseId: input.id })),

  note: adminProcedure
    .meta(openapi("POST", "/admin/cases/{id}/notes", "Add a note to an undecided case"))
    .input(caseNoteInput)
    .output(caseDetailSchema)
    .mutation(({ ctx, input }) =>
      addCaseNote(ctx.db, ctx.cases, { meta: ctx.request, caseId: input.id, body: input.body }),
    ),

  close: adminProcedure
    .meta(
      openapi(
        "POST",
        "/admin/cases/{id}/close",
        "Close a case you investigate with no action, giving the reason",
      ),
    )
    .input(caseCloseInput)
    .output(caseDetailSchema)
    .mutation(({ ctx, input }) =>
      closeCase(ctx.db, ctx.cases, { meta: ctx.request, caseId: input.id, reason: input.reason }),
    ),

  markReported: adminProcedure
    .meta(
      openapi(
        "POST",
        "/admin/cases/{id}/report",
        "Mark a case you investigate reported: a suspicious-activity report draft is made from it",
      ),
    )
    .input(caseReportInput)
    .output(caseDetailSchema)
    .mutation(({ ctx, input }) =>
      reportCase(ctx.db, ctx.cases, { meta: ctx.request, caseId: input.id, note: input.note }),
    ),

  report: adminProcedure
    .meta(
      openapi(
        "GET",
        "/admin/cases/{id}/report",
        "The suspicious-activity report draft of a reported case, as JSON or PDF",
        "Subject, activity dates, amounts, the rules that fired and the narrative from the notes. With " +
          "`format=pdf` the answer is `application/pdf`; filing itself happens outside BlockScore.",
      ),
    )
    .input(caseReportQuery)
    .output(sarDraftSchema)
    .query(({ ctx, input }) => getCaseReport(ctx.db, { caseId: input.id })),
});

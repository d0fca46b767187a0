import { z } from "zod";
import { adverseActionNoticeSchema, getLoanNotice, listOwnNotices } from "../server/loans/adverse-action";
import { pageLimit, seqCursor } from "../server/pagination";
import { protectedProcedure, router } from "../server/trpc";

const tags = ["loans"];

export const noticeFormats = ["json", "pdf"] as const;

/** Adverse-action notices (Regulation B 1002.9). Registered before the loans router: `/loans/notices` is not a loan id. */
export const noticesRouter = router({
  list: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/loans/notices",
        tags,
        summary: "Your adverse-action notices, newest first",
        description:
          "Every notice you were given: for applications refused by a credit rule, and loans an underwriter rejected.",
        protect: true,
      },
    })
    .input(z.object({ cursor: seqCursor, limit: pageLimit(20) }))
    .output(z.object({ items: z.array(adverseActionNoticeSchema), nextCursor: z.number().int().nullable() }))
    .query(({ ctx, input }) => listOwnNotices(ctx.db, { userId: ctx.user.id, ...input })),

  forLoan: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/loans/{id}/notice",
        tags,
        summary: "The adverse-action notice of a rejected loan",
        description:
          "Yours; underwriters and admins may read any. `?format=pdf` answers the same notice as a PDF letter " +
          "(REST only). A loan without a notice, or another user's, is a 404.",
        protect: true,
      },
    })
    .input(
      z.object({
        id: z.uuid({ error: "id must be a loan id" }),
        format: z
          .enum(noticeFormats, { error: 'format must be "json" or "pdf"' })
          .default("json")
          .meta({ description: "pdf: the notice as a PDF document (REST)" }),
      }),
    )
    .output(adverseActionNoticeSchema)
    .query(({ ctx, input }) => getLoanNotice(ctx.db, { viewer: ctx.user, loanId: input.id })),
});

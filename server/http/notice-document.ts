import { adverseActionNoticeSchema } from "../loans/adverse-action";
import { noticePdf } from "../loans/notice-pdf";
import type { RestHandler } from "./rest-routes";

/** The REST route of a loan's notice, as the OpenAPI document names it; `format=pdf` on it answers a PDF. */
export const LOAN_NOTICE_TEMPLATE = "/api/loans/{id}/notice";

/**
 * `GET /api/loans/{id}/notice?format=pdf`: the procedure's own answer (the same validation, access check and
 * error shape as the JSON), rendered as a PDF letter when it succeeded. Any other format is the JSON route.
 */
export function noticeDocumentHandler(rest: RestHandler): RestHandler {
  return async (request, body, client) => {
    const answer = await rest(request, body, client);
    if (new URL(request.url).searchParams.get("format") !== "pdf" || answer.status !== 200) return answer;
    const notice = adverseActionNoticeSchema.parse(await answer.json());
    return new Response(await noticePdf(notice), {
      headers: {
        "content-type": "application/pdf",
        "content-disposition": `inline; filename="adverse-action-notice-${notice.id}.pdf"`,
        "cache-control": "no-store",
      },
    });
  };
}

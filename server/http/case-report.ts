import type { SarDraft } from "../../db/schema";
import { renderSarPdf } from "../compliance/cases/sar-pdf";
import type { RestHandler, RestRoute } from "./rest-routes";

/**
 * `GET /api/admin/cases/{id}/report?format=pdf`: the REST route answers (same procedure, same access check and
 * validation), and a successful JSON draft is rendered as a PDF here; errors stay JSON.
 */
function caseReportRoute(handleRest: RestHandler): RestHandler {
  return async (request, body, client) => {
    const answer = await handleRest(request, body, client);
    if (answer.status !== 200 || new URL(request.url).searchParams.get("format") !== "pdf") return answer;
    const draft = (await answer.json()) as SarDraft;
    const pdf = await renderSarPdf(draft);
    return new Response(new Blob([pdf as Uint8Array<ArrayBuffer>]), {
      headers: {
        "content-type": "application/pdf",
        "content-disposition": `attachment; filename="sar-draft-${draft.caseId}.pdf"`,
        "cache-control": "no-store",
      },
    });
  };
}

/** The report operation's route with the PDF rendering around it; every other route as it is. */
export function withCaseReportPdf(route: RestRoute): RestRoute {
  return route.method === "GET" && route.template === "/api/admin/cases/{id}/report"
    ? { ...route, handle: caseReportRoute(route.handle) }
    : route;
}

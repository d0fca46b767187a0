import { appRouter } from "../../routers";
import { type AppDeps, createContext } from "../context";
import { renderStatementPdf } from "../loans/statement-pdf";
import { createCallerFactory } from "../trpc";
import type { ClientInfo } from "./client-info";
import { asTrpcError, errorBody, httpStatusOf } from "./error-body";
import { jsonResponse } from "./error-response";

/**
 * REST answers that are files, not JSON: the book as CSV and a statement as PDF. Each calls the same procedure as
 * its JSON twin (same input validation, access check and domain call) through a server-side caller, and only
 * renders the result differently; errors get the REST error shape and status.
 */

const createCaller = createCallerFactory(appRouter);

export type FileRoute = (request: Request, body: string, client: ClientInfo) => Promise<Response>;

/** The error as the REST routes answer it (one shape, one mapping: error-body.ts); internal failures are rethrown. */
function errorResponse(cause: unknown, headers: Headers, development: boolean): Response {
  const error = asTrpcError(cause);
  if (error.code === "INTERNAL_SERVER_ERROR") throw error.cause ?? error;
  const extra: Record<string, string> = {};
  headers.forEach((value, name) => {
    extra[name] = value;
  });
  return jsonResponse(httpStatusOf(error), errorBody(error, development), extra);
}

async function callerFor(deps: AppDeps, client: ClientInfo, headers: Headers) {
  const ctx = await createContext(deps, { ...client, setHeader: (name, value) => headers.set(name, value) });
  return createCaller(ctx);
}

const CSV_COLUMNS = [
  "id",
  "userId",
  "borrowerEmail",
  "status",
  "scheduleType",
  "amount",
  "apr",
  "termMonths",
  "createdAt",
  "disbursedAt",
  "outstandingPrincipal",
  "arrears",
  "daysPastDue",
  "dpdBucket",
  "productId",
  "productVersion",
] as const;

/** RFC 4180 quoting; text a spreadsheet would run as a formula is prefixed with a quote. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text))
    text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const PAGE_SIZE = 200;

/** GET /api/loans/portfolio.csv: every loan the filters select (cursor and limit are ignored), page by page. */
export function portfolioCsv(deps: AppDeps): FileRoute {
  return async (request, _body, client) => {
    const headers = new Headers();
    const query = Object.fromEntries(new URL(request.url).searchParams);
    delete query.cursor;
    delete query.limit;
    let caller: Awaited<ReturnType<typeof callerFor>>;
    let first: Awaited<ReturnType<typeof caller.servicing.portfolio>>;
    try {
      caller = await callerFor(deps, client, headers);
      first = await caller.servicing.portfolio({ ...query, limit: PAGE_SIZE } as never);
    } catch (error) {
      return errorResponse(error, headers, deps.config.NODE_ENV === "development");
    }
    const encoder = new TextEncoder();
    const rows = (items: typeof first.items) =>
      items.map((item) => `${CSV_COLUMNS.map((column) => csvCell(item[column])).join(",")}\r\n`).join("");
    let cursor = first.nextCursor;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(`${CSV_COLUMNS.join(",")}\r\n${rows(first.items)}`));
        if (!cursor) controller.close();
      },
      async pull(controller) {
        if (!cursor) return;
        const page = await caller.servicing.portfolio({ ...query, limit: PAGE_SIZE, cursor } as never);
        controller.enqueue(encoder.encode(rows(page.items)));
        cursor = page.nextCursor;
        if (!cursor) controller.close();
      },
    });
    headers.set("content-type", "text/csv; charset=utf-8");
    headers.set("content-disposition", 'attachment; filename="portfolio.csv"');
    headers.set("cache-control", "no-store");
    return new Response(stream, { headers });
  };
}

/** The statement's REST template: its GET route answers a PDF for `format=pdf`. */
export const STATEMENT_TEMPLATE = "/api/loans/{id}/statement";

/** GET /api/loans/{id}/statement?format=pdf; any other format goes to the JSON route (`json`). */
export function statementFile(deps: AppDeps, json: FileRoute): FileRoute {
  return async (request, body, client) => {
    const url = new URL(request.url);
    if (url.searchParams.get("format") !== "pdf") return json(request, body, client);
    const headers = new Headers();
    const id = decodeURIComponent(url.pathname.split("/").at(-2) ?? "");
    let pdf: Uint8Array;
    try {
      const caller = await callerFor(deps, client, headers);
      const statement = await caller.servicing.statement({
        ...Object.fromEntries(url.searchParams),
        id,
      } as never);
      pdf = await renderStatementPdf(statement);
    } catch (error) {
      return errorResponse(error, headers, deps.config.NODE_ENV === "development");
    }
    headers.set("content-type", "application/pdf");
    headers.set("content-disposition", `inline; filename="statement-${id}.pdf"`);
    headers.set("cache-control", "no-store");
    return new Response(new Blob([pdf as Uint8Array<ArrayBuffer>]), { headers });
  };
}

type PathItem = Record<
  string,
  { responses?: Record<string, { content?: Record<string, unknown> }> } & Record<string, unknown>
>;

/** The file answers in the OpenAPI document: the statement's PDF and the CSV twin of the book. */
export function documentFileRoutes(paths: Record<string, unknown>): void {
  const statement = (paths["/loans/{id}/statement"] as PathItem | undefined)?.get;
  const ok = statement?.responses?.["200"];
  if (ok?.content) ok.content["application/pdf"] = { schema: { type: "string", format: "binary" } };
  const portfolio = (paths["/loans/portfolio"] as PathItem | undefined)?.get;
  if (!portfolio) return;
  paths["/loans/portfolio.csv"] = {
    get: {
      ...portfolio,
      operationId: "servicing-portfolioCsv",
      summary: "The loan book as CSV, streamed: every loan the filters select (cursor and limit are ignored)",
      description: "The filters and access of GET /api/loans/portfolio; staff only.",
      responses: {
        ...portfolio.responses,
        "200": {
          description: "One header line, then one line per loan, newest first",
          content: { "text/csv": { schema: { type: "string" } } },
        },
      },
    },
  };
}

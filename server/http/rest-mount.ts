import { createOpenApiFetchHandler } from "trpc-to-openapi";
import { appRouter } from "../../routers";
import { type AppDeps, createContext } from "../context";
import type { ClientInfo } from "./client-info";

type TrpcErrorBody = {
  message?: string;
  code?: string;
  issues?: unknown[];
  data?: { appCode?: string; details?: Record<string, unknown> };
};

/** One error shape for every REST answer: a stable `code`, a readable `message`, and the details that apply. */
async function reshapeError(response: Response): Promise<Response> {
  const body = (await response.json().catch(() => ({}))) as TrpcErrorBody;
  const shaped = {
    code: body.data?.appCode ?? body.code ?? "INTERNAL_SERVER_ERROR",
    message: body.message ?? "Request failed",
    ...(body.issues ? { issues: body.issues } : {}),
    ...(body.data?.details ? { details: body.data.details } : {}),
  };
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return new Response(JSON.stringify(shaped), { status: response.status, headers });
}

/**
 * REST routes generated from the procedures' OpenAPI metadata: same validation, access checks and domain calls.
 * A POST without body or content type (as `curl -X POST` sends it) is read as an empty JSON object.
 */
export async function handleRest(
  deps: AppDeps,
  request: Request,
  body: string,
  client: ClientInfo,
): Promise<Response> {
  const needsJson = request.method !== "GET" && request.method !== "HEAD" && body.trim() === "";
  let req = request;
  if (needsJson) {
    const headers = new Headers(request.headers);
    headers.set("content-type", "application/json");
    req = new Request(request.url, { method: request.method, headers, body: "{}" });
  }
  const response = await createOpenApiFetchHandler({
    endpoint: "/api",
    req,
    router: appRouter,
    // The adapter is typed as fetch but calls createContext with a node-style `res` that collects headers.
    createContext: (options) => {
      const { res } = options as unknown as { res: { setHeader(name: string, value: string): void } };
      return createContext(deps, { ...client, setHeader: (name, value) => res.setHeader(name, value) });
    },
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        deps.logger.error(
          { err: error.cause ?? error, path, requestId: client.requestId },
          "procedure failed",
        );
      }
    },
  });
  return response.status >= 400 ? reshapeError(response) : response;
}

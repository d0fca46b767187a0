import { createOpenApiNodeHttpHandler } from "trpc-to-openapi";
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
function reshapeError(text: string): string {
  let body: TrpcErrorBody = {};
  try {
    body = JSON.parse(text) as TrpcErrorBody;
  } catch {}
  return JSON.stringify({
    code: body.data?.appCode ?? body.code ?? "INTERNAL_SERVER_ERROR",
    message: body.message ?? "Request failed",
    ...(body.issues ? { issues: body.issues } : {}),
    ...(body.data?.details ? { details: body.data.details } : {}),
  });
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

export type RestHandler = (request: Request, body: string, client: ClientInfo) => Promise<Response>;

/**
 * REST routes generated from the procedures' OpenAPI metadata: same validation, access checks and domain calls.
 * The library's node handler is built once (its fetch adapter rebuilds it, and re-validates the whole router,
 * on every request). The body arrives already read and capped; a POST without body or content type (as
 * `curl -X POST` sends it) is read as an empty JSON object.
 */
export function createRestHandler(deps: AppDeps): RestHandler {
  const contexts = new WeakMap<object, ClientInfo>();
  const handler = createOpenApiNodeHttpHandler({
    router: appRouter,
    createContext: ({ req, res }) => {
      const client = contexts.get(req as object);
      if (!client) throw new Error("REST request without client info");
      return createContext(deps, { ...client, setHeader: (name, value) => res.setHeader(name, value) });
    },
    onError: ({ error, path, req }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        const requestId = contexts.get(req as object)?.requestId;
        deps.logger.error({ err: error.cause ?? error, path, requestId }, "procedure failed");
      }
    },
  });

  return async (request, body, client) => {
    const url = new URL(request.url);
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    let parsed: unknown;
    const headers = new Headers(request.headers);
    if (hasBody && body.trim() === "") {
      headers.set("content-type", "application/json");
      parsed = {};
    } else if (hasBody && headers.get("content-type")?.startsWith("application/json")) {
      try {
        parsed = JSON.parse(body);
      } catch {
        return json(400, { code: "PARSE_ERROR", message: "The request body is not valid JSON" });
      }
    }
    const path = `${url.pathname.replace(/^\/api/, "")}${url.search}`;
    const proxied = new Proxy(new Request(request.url, { method: request.method, headers }), {
      get: (target, property) => {
        if (property === "url") return path;
        if (property === "body") return parsed;
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
      has: (target, property) => property === "body" || Reflect.has(target, property),
    });
    contexts.set(proxied, client);
    const responseHeaders = new Headers();
    return new Promise<Response>((resolve, reject) => {
      const res = {
        statusCode: 200,
        setHeader(name: string, value: string | string[]) {
          for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item);
        },
        end(text: string) {
          const status = res.statusCode;
          resolve(
            new Response(status >= 400 ? reshapeError(text) : text, { status, headers: responseHeaders }),
          );
        },
      };
      handler(proxied as never, res as never).catch(reject);
    });
  };
}

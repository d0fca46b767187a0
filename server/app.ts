import { Elysia } from "elysia";
import type { AppDeps } from "./context";
import { RateLimitedError } from "./errors";
import { limitBody, PayloadTooLargeError } from "./http/body";
import type { ClientInfo } from "./http/client-info";
import { docsPage } from "./http/docs-page";
import { openApiDocument } from "./http/openapi";
import { clientAddress, requestIdFor, sessionTokenFrom } from "./http/request-info";
import { createRestHandler } from "./http/rest-mount";
import { corsHeaders, docsPageCsp, securityHeaders } from "./http/security-headers";
import { handleTrpc } from "./http/trpc-mount";
import { consume } from "./security/rate-limit";

type SocketServer = { requestIP(request: Request): { address: string } | null } | null;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/**
 * The HTTP host: tRPC on /trpc, the generated REST layer on /api, the OpenAPI document and its reader.
 * Every response gets the request id, the security headers and CORS; every body is capped before it is read.
 */
export function createApp(deps: AppDeps) {
  const { config, logger } = deps;

  const clientInfo = (request: Request, server: SocketServer, requestId: string): ClientInfo => ({
    requestId,
    ip: clientAddress(config, server?.requestIP(request)?.address ?? null, request),
    userAgent: request.headers.get("user-agent"),
    token: sessionTokenFrom(request, config.SESSION_COOKIE_NAME),
    idempotencyKey: request.headers.get("idempotency-key"),
    actorId: null,
  });

  const finish = (request: Request, response: Response, requestId: string, startedAt: number): Response => {
    const headers = new Headers(response.headers);
    headers.set("X-Request-Id", requestId);
    for (const [name, value] of Object.entries(securityHeaders))
      if (!headers.has(name)) headers.set(name, value);
    for (const [name, value] of Object.entries(corsHeaders(config, request.headers.get("origin")))) {
      headers.set(name, value);
    }
    const url = new URL(request.url);
    logger.info(
      {
        requestId,
        method: request.method,
        path: url.pathname,
        status: response.status,
        ms: Math.round(performance.now() - startedAt),
      },
      "request",
    );
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };

  const handle = async (
    request: Request,
    server: SocketServer,
    route: (request: Request, body: string, client: ClientInfo) => Promise<Response> | Response,
  ): Promise<Response> => {
    const startedAt = performance.now();
    const requestId = requestIdFor(request);
    let response: Response;
    try {
      if (request.method === "OPTIONS") {
        response = new Response(null, { status: 204 });
      } else {
        const client = clientInfo(request, server, requestId);
        await consume(deps.limiters.general, client.ip ?? "unknown");
        const limited = await limitBody(request, config.BODY_LIMIT_BYTES);
        response = await route(limited.request, limited.body, client);
      }
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        response = json(413, { code: "PAYLOAD_TOO_LARGE", message: error.message });
      } else if (error instanceof RateLimitedError) {
        response = json(429, { code: error.code, message: error.message });
        response.headers.set("Retry-After", String(error.retryAfterSeconds));
        for (const [name, value] of Object.entries(error.headers)) response.headers.set(name, value);
      } else {
        logger.error({ err: error, requestId }, "unhandled error");
        response = json(500, { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" });
      }
    }
    return finish(request, response, requestId, startedAt);
  };

  const noParse = { parse: "none" as const };
  const handleRest = createRestHandler(deps);

  return new Elysia()
    .get("/api/openapi.json", ({ request, server }) =>
      handle(request, server, () => json(200, openApiDocument(config))),
    )
    .get("/docs", ({ request, server }) =>
      handle(
        request,
        server,
        () =>
          new Response(docsPage, {
            headers: { "content-type": "text/html; charset=utf-8", "Content-Security-Policy": docsPageCsp },
          }),
      ),
    )
    .all(
      "/trpc/*",
      ({ request, server }) => handle(request, server, (req, _body, client) => handleTrpc(deps, req, client)),
      noParse,
    )
    .all("/api/*", ({ request, server }) => handle(request, server, handleRest), noParse)
    .all("*", ({ request, server }) =>
      handle(request, server, () => json(404, { code: "NOT_FOUND", message: "No route for this path" })),
    );
}

export type App = ReturnType<typeof createApp>;

import { Elysia } from "elysia";
import type { AppDeps } from "./context";
import { limitBody } from "./http/body";
import type { ClientInfo } from "./http/client-info";
import { assertNotCrossSiteCookieRequest } from "./http/csrf";
import { docsPage } from "./http/docs-page";
import { jsonResponse as json, transportErrorResponse } from "./http/error-response";
import { openApiDocument } from "./http/openapi";
import { clientAddress, ownOrigin, requestIdFor, sessionCredentialFrom } from "./http/request-info";
import { createRestHandler } from "./http/rest-mount";
import { corsHeaders, docsPageCsp, securityHeaders } from "./http/security-headers";
import { assertTrpcBatchAllowed, trpcCalls } from "./http/trpc-batch";
import { handleTrpc } from "./http/trpc-mount";
import { addressKey, consume } from "./security/rate-limit";

type SocketServer = { requestIP(request: Request): { address: string } | null } | null;
type Route = (request: Request, body: string, client: ClientInfo) => Promise<Response> | Response;

/**
 * The HTTP host: tRPC on /trpc, the generated REST layer on /api, the OpenAPI document and its reader.
 * Every response gets the request id, the security headers and CORS; every body is capped before it is read.
 */
export function createApp(deps: AppDeps) {
  const { config, logger } = deps;

  const clientInfo = (
    request: Request,
    socketAddress: string | null,
    requestId: string,
    token: string | null,
  ): ClientInfo => ({
    requestId,
    ip: clientAddress(config, socketAddress, request),
    userAgent: request.headers.get("user-agent"),
    token,
    idempotencyKey: request.headers.get("idempotency-key"),
    webhookSignature: request.headers.get("blockscore-signature"),
    rawBody: "",
    actorId: null,
  });

  const finish = (request: Request, response: Response, requestId: string, startedAt: number): Response => {
    const headers = new Headers(response.headers);
    headers.set("X-Request-Id", requestId);
    if (deps.lifecycle.draining) headers.set("Connection", "close");
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

  /**
   * What every request passes before its route, whatever the transport: the rate limit (each tRPC call counts
   * as a request), the batch rules, the CSRF rule for cookie sessions, and the body cap.
   */
  const handle = async (
    request: Request,
    server: SocketServer,
    route: Route,
    options: { trpc?: boolean } = {},
  ): Promise<Response> => {
    const startedAt = performance.now();
    const requestId = requestIdFor(request);
    let response: Response;
    try {
      if (request.method === "OPTIONS") {
        response = new Response(null, { status: 204 });
      } else {
        const socketAddress = server?.requestIP(request)?.address ?? null;
        const credential = sessionCredentialFrom(request, config);
        const client = clientInfo(request, socketAddress, requestId, credential.token);
        const calls = options.trpc ? trpcCalls(new URL(request.url)) : null;
        await consume(deps.limiters.general, addressKey(client.ip), calls?.length ?? 1);
        if (calls) assertTrpcBatchAllowed(calls, config.TRPC_MAX_BATCH);
        assertNotCrossSiteCookieRequest(config, request, {
          credential: credential.source,
          ownOrigin: ownOrigin(config, socketAddress, request),
        });
        const limited = await limitBody(request, config.BODY_LIMIT_BYTES);
        response = await route(limited.request, limited.body, { ...client, rawBody: limited.body });
      }
    } catch (error) {
      const answer = transportErrorResponse(error);
      if (!answer) logger.error({ err: error, requestId }, "unhandled error");
      response = answer ?? json(500, { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" });
    }
    return finish(request, response, requestId, startedAt);
  };

  const noParse = { parse: "none" as const };
  const handleRest = createRestHandler(deps);

  // Elysia finds the path by skipping the 11 characters of a "standard" hostname ("http://a.bc") unless told
  // not to; behind a proxy whose upstream is named `api` or `bs`, that skips into the path and every route is 404.
  return new Elysia({ handler: { standardHostname: false } })
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
      ({ request, server }) =>
        handle(request, server, (req, _body, client) => handleTrpc(deps, req, client), { trpc: true }),
      noParse,
    )
    .all("/api/*", ({ request, server }) => handle(request, server, handleRest), noParse)
    .all("*", ({ request, server }) =>
      handle(request, server, () => json(404, { code: "NOT_FOUND", message: "No route for this path" })),
    );
}

export type App = ReturnType<typeof createApp>;

import { timingSafeEqual } from "node:crypto";
import { Elysia } from "elysia";
import type { AppDeps } from "./context";
import { limitBody } from "./http/body";
import { withCaseReportPdf } from "./http/case-report";
import type { ClientInfo } from "./http/client-info";
import { assertNotCrossSiteCookieRequest } from "./http/csrf";
import { docsPage } from "./http/docs-page";
import { jsonResponse as json, transportErrorResponse } from "./http/error-response";
import { portfolioCsv, STATEMENT_TEMPLATE, statementFile } from "./http/file-routes";
import { modelCardResponse } from "./http/model-card";
import { LOAN_NOTICE_TEMPLATE, noticeDocumentHandler } from "./http/notice-document";
import { openApiDocument } from "./http/openapi";
import { publicHealthBodies } from "./http/public-health";
import { clientAddress, ownOrigin, pathOf, requestIdFor, sessionCredentialFrom } from "./http/request-info";
import { restRoutes } from "./http/rest-routes";
import { trpcRouteLabel, UNMATCHED_ROUTE } from "./http/route-label";
import { corsHeaders, docsPageCsp, jsonHeaders, withSecurityHeaders } from "./http/security-headers";
import { assertTrpcBatchAllowed, trpcCalls } from "./http/trpc-batch";
import { handleTrpc } from "./http/trpc-mount";
import { METRICS_CONTENT_TYPE } from "./metrics";
import { addressKey, consume } from "./security/rate-limit";

function bearerToken(header: string | null): string | null {
  return header?.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() || null : null;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The request again with the body the limiter read (the original's stream is spent): tRPC reads it itself. */
function withBody(request: Request, body: string): Request {
  if (request.method === "GET" || request.method === "HEAD") return request;
  return new Request(request.url, { method: request.method, headers: request.headers, body });
}

type SocketServer = { requestIP(request: Request): { address: string } | null } | null;
type Route = (request: Request, body: string, client: ClientInfo) => Promise<Response> | Response;
/** The metrics label of the route: a template, or one worked out from the answer's status. */
type RouteLabel = string | ((request: Request, status: number) => string);

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

  const slowMs = config.SLOW_REQUEST_MS;

  /** Our headers go on the route's own response; only a response with frozen headers is copied. */
  const finish = (
    request: Request,
    response: Response,
    label: RouteLabel,
    requestId: string,
    startedAt: number,
  ): Response => {
    const origin = request.headers.get("origin");
    const addHeaders = (headers: Headers) => {
      headers.set("X-Request-Id", requestId);
      if (deps.lifecycle.draining) headers.set("Connection", "close");
      withSecurityHeaders(headers);
      if (origin)
        for (const [name, value] of Object.entries(corsHeaders(config, origin))) headers.set(name, value);
    };
    let answer = response;
    try {
      addHeaders(response.headers);
    } catch {
      const headers = new Headers(response.headers);
      addHeaders(headers);
      answer = new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers,
      });
    }
    const ms = performance.now() - startedAt;
    const route = typeof label === "string" ? label : label(request, response.status);
    const labels = { method: request.method, route, status: String(response.status) };
    deps.metrics.requests.inc(labels);
    deps.metrics.requestDuration.observe(labels, ms / 1000);
    deps.metrics.inFlight.dec();
    if (ms > slowMs) {
      logger.warn(
        { requestId, method: request.method, route, status: response.status, ms: Math.round(ms) },
        "slow request",
      );
    } else if (logger.isLevelEnabled("debug")) {
      logger.debug(
        {
          requestId,
          method: request.method,
          path: pathOf(request.url),
          status: response.status,
          ms: Math.round(ms),
        },
        "request",
      );
    }
    return answer;
  };

  /**
   * What every request passes before its route, whatever the transport: the rate limit (each tRPC call counts
   * as a request), the batch rules, the CSRF rule for cookie sessions, and the body cap.
   */
  const handle = async (
    request: Request,
    server: SocketServer,
    route: Route,
    label: RouteLabel,
    options: { trpc?: boolean } = {},
  ): Promise<Response> => {
    const startedAt = performance.now();
    const requestId = requestIdFor(request);
    deps.metrics.inFlight.inc();
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
        if (credential.source === "cookie") {
          assertNotCrossSiteCookieRequest(config, request, {
            credential: credential.source,
            ownOrigin: ownOrigin(config, socketAddress, request),
          });
        }
        const body = await limitBody(request, config.BODY_LIMIT_BYTES);
        client.rawBody = body;
        response = await route(request, body, client);
      }
    } catch (error) {
      const answer = transportErrorResponse(error);
      if (!answer) {
        logger.error({ err: error, requestId }, "unhandled error");
        deps.health.checkSoon();
      }
      response = answer ?? json(500, { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" });
    }
    return finish(request, response, label, requestId, startedAt);
  };

  /**
   * Prometheus's scrape on the public port: only with `Authorization: Bearer <METRICS_TOKEN>`; without a token
   * configured the route does not exist here (METRICS_PORT serves it on an internal port instead).
   */
  const metricsAnswer = async (request: Request): Promise<Response> => {
    const expected = config.METRICS_TOKEN;
    if (!expected) return json(404, { code: "NOT_FOUND", message: "No route for this path" });
    const given = bearerToken(request.headers.get("authorization"));
    if (!given || !sameSecret(given, expected)) {
      return json(
        401,
        { code: "UNAUTHENTICATED", message: "Metrics need the metrics token" },
        { "WWW-Authenticate": "Bearer" },
      );
    }
    return new Response(await deps.metrics.exposition(), {
      headers: { "content-type": METRICS_CONTENT_TYPE },
    });
  };

  const noParse = { parse: "none" as const };
  const rest = restRoutes(deps);
  const trpcLabel: RouteLabel = (request, status) => trpcRouteLabel(pathOf(request.url), status);
  const restLabel: RouteLabel = (request) =>
    rest.templateOf(request.method, pathOf(request.url)) ?? UNMATCHED_ROUTE;
  const notFound = () => json(404, { code: "NOT_FOUND", message: "No route for this path" });

  // Elysia finds the path by skipping the 11 characters of a "standard" hostname ("http://a.bc") unless told
  // not to; behind a proxy whose upstream is named `api` or `bs`, that skips into the path and every route is 404.
  const app = new Elysia({ handler: { standardHostname: false } })
    .get("/api/openapi.json", ({ request, server }) =>
      handle(request, server, () => json(200, openApiDocument(config)), "/api/openapi.json"),
    )
    .get("/docs", ({ request, server }) =>
      handle(
        request,
        server,
        () =>
          new Response(docsPage, {
            headers: { "content-type": "text/html; charset=utf-8", "Content-Security-Policy": docsPageCsp },
          }),
        "/docs",
      ),
    )
    .get("/docs/model", ({ request, server }) =>
      handle(request, server, () => modelCardResponse(deps.scoring), "/docs/model"),
    )
    .get("/metrics", ({ request, server }) =>
      handle(request, server, () => metricsAnswer(request), "/metrics"),
    )
    .all(
      "/trpc/*",
      ({ request, server }) =>
        handle(
          request,
          server,
          (req, body, client) => handleTrpc(deps, withBody(req, body), client),
          trpcLabel,
          {
            trpc: true,
          },
        ),
      noParse,
    );
  const healthBody = publicHealthBodies();
  /**
   * A GET of /api/health without any credential (a load balancer's or an orchestrator's probe) is answered here
   * from the last background check, serialised once, with the same shape, headers and metrics as the procedure's
   * answer. It spends no rate limit: behind a proxy without TRUST_PROXY every client shares the proxy's address,
   * so the probes would spend real users' budget and, once it ran out, a 429 would take a healthy instance out of
   * rotation; and the answer costs less than the limiter's own check (a Redis round trip with Redis). Callers with
   * a credential (the admin or metrics-token view, or anyone presenting a token) go through the procedure.
   */
  const anonymousHealth = async (
    request: Request,
    server: SocketServer,
    route: (typeof rest.routes)[number],
  ) => {
    if (request.method !== "GET" || sessionCredentialFrom(request, config).token !== null) {
      return handle(
        request,
        server,
        route.handle,
        request.method === route.method ? route.template : restLabel,
      );
    }
    const startedAt = performance.now();
    const requestId = requestIdFor(request);
    deps.metrics.inFlight.inc();
    let body: string;
    try {
      body = healthBody(await deps.health.current(deps));
    } catch {
      // A check that threw: the procedure's path answers (and logs) it as it always did.
      deps.metrics.inFlight.dec();
      return handle(request, server, route.handle, route.template);
    }
    const response = new Response(body, { headers: jsonHeaders() });
    return finish(request, response, route.template, requestId, startedAt);
  };

  // Files (CSV, PDF) from the same procedures as their JSON twins.
  const portfolioCsvRoute = portfolioCsv(deps);
  app.get(
    "/api/loans/portfolio.csv",
    ({ request, server }) => handle(request, server, portfolioCsvRoute, "/api/loans/portfolio.csv"),
    noParse,
  );
  // One route per operation, so Elysia's router (a static table for paths without parameters) picks it.
  for (const route of rest.routes.map(withCaseReportPdf)) {
    const isHealth = route.method === "GET" && route.template === "/api/health";
    // A loan's notice can also be answered as a PDF document (`?format=pdf`); a statement as JSON or PDF.
    const serve =
      route.template === LOAN_NOTICE_TEMPLATE
        ? noticeDocumentHandler(route.handle)
        : route.method === "GET" && route.template === STATEMENT_TEMPLATE
          ? statementFile(deps, route.handle)
          : route.handle;
    app.route(
      route.method,
      route.routerPath,
      ({ request, server }) =>
        isHealth
          ? anonymousHealth(request, server, route)
          : // A HEAD reaches a GET route here; trpc-to-openapi's contract answers it as an unknown operation.
            handle(request, server, serve, request.method === route.method ? route.template : restLabel),
      noParse,
    );
  }
  return app
    .all("/api/*", ({ request, server }) => handle(request, server, rest.fallback, restLabel), noParse)
    .all("*", ({ request, server }) => handle(request, server, notFound, UNMATCHED_ROUTE));
}

export type App = ReturnType<typeof createApp>;

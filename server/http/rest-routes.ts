import { TRPCError } from "@trpc/server";
import {
  coerceSchema,
  forEachOpenApiProcedure,
  getInputOutputParsers,
  getPathRegExp,
  instanceofZodTypeLikeVoid,
  instanceofZodTypeObject,
  instanceofZodTypeOptional,
  normalizePath,
  unwrapZodType,
  zodSupportsCoerce,
} from "trpc-to-openapi";
import { ZodArray, type ZodType } from "zod";
import { appRouter } from "../../routers";
import { type AppDeps, createContext } from "../context";
import { createCallerFactory } from "../trpc";
import type { ClientInfo } from "./client-info";
import { asTrpcError, errorBody, httpStatusOf } from "./error-body";
import { jsonResponse } from "./error-response";
import { pathOf } from "./request-info";
import { jsonHeaders } from "./security-headers";

export type RestHandler = (request: Request, body: string, client: ClientInfo) => Promise<Response>;

/** One REST operation as the router serves it: Elysia's path, the template the document and metrics name. */
export type RestRoute = {
  method: string;
  /** `/api/loans/:id`, Elysia's syntax. */
  routerPath: string;
  /** `/api/loans/{id}`, the OpenAPI document's. */
  template: string;
  handle: RestHandler;
};

/** A procedure with OpenAPI metadata, resolved once: how its path matches, where its input comes from. */
type Operation = {
  method: string;
  template: string;
  /** trpc-to-openapi's own matcher (case-insensitive, named groups for the path parameters). */
  pattern: RegExp;
  /** Dotted procedure path, and its segments for the caller. */
  path: string;
  segments: string[];
  /** False for `z.void()` inputs: the procedure is called with no input at all. */
  takesInput: boolean;
  /** Query keys the schema holds as arrays: a single `?key=value` is passed as `[value]`. */
  arrayKeys: string[];
  /** Another operation of the same method declared earlier could claim this one's paths: match in order then. */
  ambiguous: boolean;
};

type Callable = (input: unknown) => Promise<unknown>;
type Match = { operation: Operation; params: Record<string, string> };

const PARSE_ERROR = { code: "PARSE_ERROR", message: "The request body is not valid JSON" };

function arrayKeysOf(schema: ZodType): string[] {
  if (!zodSupportsCoerce || !instanceofZodTypeObject(schema)) return [];
  return Object.entries(schema.shape)
    .filter(
      ([, shape]) =>
        shape instanceof ZodArray || (instanceofZodTypeOptional(shape) && shape.unwrap() instanceof ZodArray),
    )
    .map(([key]) => key);
}

/** Two templates can match one path when every segment is equal (ignoring case) or a parameter on either side. */
function overlap(a: string, b: string): boolean {
  const left = a.split("/");
  const right = b.split("/");
  return (
    left.length === right.length &&
    left.every((segment, index) => {
      const other = right[index] ?? "";
      return (
        segment.startsWith("{") || other.startsWith("{") || segment.toLowerCase() === other.toLowerCase()
      );
    })
  );
}

function operationsOf(): Operation[] {
  const operations: Operation[] = [];
  forEachOpenApiProcedure(appRouter._def.procedures, ({ path, procedure, meta: { openapi } }) => {
    if (procedure._def.type === "subscription") return;
    const template = normalizePath(openapi.path);
    const { inputParser } = getInputOutputParsers(procedure);
    const input = unwrapZodType(inputParser as ZodType, true);
    // What trpc-to-openapi's handler did on every request, done once: query strings become the numbers, dates
    // and booleans the schema holds (it sets zod's `coerce` on the input schema's fields).
    if (zodSupportsCoerce && instanceofZodTypeObject(input)) coerceSchema(input);
    const method = openapi.method;
    operations.push({
      method,
      template,
      pattern: getPathRegExp(template),
      path,
      segments: path.split("."),
      takesInput: !instanceofZodTypeLikeVoid(input),
      arrayKeys: arrayKeysOf(input),
      ambiguous: operations.some(
        (earlier) => earlier.method === method && overlap(earlier.template, template),
      ),
    });
  });
  return operations;
}

function queryOf(url: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  new URL(url).searchParams.forEach((value, key) => {
    const held = query[key];
    if (held === undefined) query[key] = value;
    else if (Array.isArray(held)) held.push(value);
    else query[key] = [held, value];
  });
  return query;
}

/**
 * REST routes generated once at start-up from the procedures' OpenAPI metadata (the document is generated from
 * the same metadata, by trpc-to-openapi), each calling its procedure through a tRPC caller: the same validation,
 * access checks and domain calls as tRPC, and trpc-to-openapi's REST contract: path parameters and the query (or
 * the JSON body) as the input, 415 for a body that is not JSON, 404 for any other path or method. A POST without
 * body or content type (as `curl -X POST` sends it) is read as an empty JSON object.
 */
export function restRoutes(deps: AppDeps): {
  routes: RestRoute[];
  /** Paths Elysia did not route (another case, an unknown path or method): matched as trpc-to-openapi did. */
  fallback: RestHandler;
  /** The metrics label of a path the fallback served. */
  templateOf(method: string, path: string): string | null;
} {
  const development = deps.config.NODE_ENV === "development";
  const createCaller = createCallerFactory(appRouter);
  const operations = operationsOf();

  const lookup = (method: string, path: string): Match | null => {
    for (const operation of operations) {
      if (operation.method !== method) continue;
      const found = operation.pattern.exec(path);
      if (found) return { operation, params: { ...found.groups } };
    }
    return null;
  };

  const serve = async (
    request: Request,
    body: string,
    client: ClientInfo,
    routed: Operation | null,
  ): Promise<Response> => {
    const method = request.method;
    const hasBody = method !== "GET" && method !== "HEAD";
    let contentType = request.headers.get("content-type");
    let parsed: unknown;
    if (hasBody && body.trim() === "") {
      contentType = "application/json";
      parsed = {};
    } else if (hasBody && contentType?.startsWith("application/json")) {
      try {
        parsed = JSON.parse(body);
      } catch {
        return jsonResponse(400, PARSE_ERROR);
      }
    }

    const path = normalizePath(pathOf(request.url).slice("/api".length));
    const direct = routed && !routed.ambiguous && routed.method === method ? routed.pattern.exec(path) : null;
    const match =
      direct && routed ? { operation: routed, params: { ...direct.groups } } : lookup(method, path);
    const headers = jsonHeaders();
    const fail = (cause: unknown): Response => {
      const error = asTrpcError(cause);
      if (error.code === "INTERNAL_SERVER_ERROR") {
        deps.logger.error(
          { err: error.cause ?? error, path: match?.operation.path, requestId: client.requestId },
          "procedure failed",
        );
      }
      return new Response(JSON.stringify(errorBody(error, development)), {
        status: httpStatusOf(error),
        headers,
      });
    };

    if (!match) {
      // A HEAD to no operation answers like a warm-up ping, as trpc-to-openapi did.
      if (method === "HEAD")
        return new Response(null, { status: 204, headers: { "Content-Type": "application/json" } });
      return fail(new TRPCError({ code: "NOT_FOUND", message: "Not found" }));
    }
    const { operation, params } = match;
    // trpc-to-openapi reads the input of GET and DELETE from the query, of the other methods from the body.
    const useBody = method !== "GET" && method !== "DELETE";
    if (useBody && !contentType?.startsWith("application/json")) {
      return fail(
        new TRPCError({
          code: "UNSUPPORTED_MEDIA_TYPE",
          message: contentType ? `Unsupported content-type "${contentType}` : "Missing content-type header",
        }),
      );
    }
    let input: Record<string, unknown> | undefined;
    if (operation.takesInput) {
      input = { ...(useBody ? (parsed as object) : queryOf(request.url)), ...params };
      if (!useBody) {
        for (const key of operation.arrayKeys) {
          const value = input[key];
          if (value !== undefined && !Array.isArray(value)) input[key] = [value];
        }
      }
    }
    try {
      const ctx = await createContext(deps, {
        ...client,
        setHeader: (name, value) => headers.append(name, value),
      });
      const call = operation.segments.reduce<unknown>(
        (node, key) => (node as Record<string, unknown>)[key],
        createCaller(ctx),
      ) as Callable;
      const data = await call(input);
      return new Response(JSON.stringify(data), { status: 200, headers });
    } catch (cause) {
      return fail(cause);
    }
  };

  return {
    routes: operations.map((operation) => ({
      method: operation.method,
      routerPath: `/api${operation.template.replace(/\{([^}]+)\}/g, ":$1")}`,
      template: `/api${operation.template}`,
      handle: (request, body, client) => serve(request, body, client, operation),
    })),
    fallback: (request, body, client) => serve(request, body, client, null),
    templateOf: (method, path) => {
      const normalized = normalizePath(path.slice("/api".length));
      const found = operations.find(
        (operation) =>
          (operation.method === method || method === "OPTIONS") && operation.pattern.test(normalized),
      );
      return found ? `/api${found.template}` : null;
    },
  };
}

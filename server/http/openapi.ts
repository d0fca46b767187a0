import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { appRouter } from "../../routers";
import type { Config } from "../config";
import { documentFileRoutes } from "./file-routes";

type Operation = { security?: unknown[]; responses?: Record<string, unknown> };
type Components = NonNullable<OpenAPIObject["components"]>;
type Schema = NonNullable<Components["schemas"]>[string];
type ResponseDefinition = NonNullable<Components["responses"]>[string];

const errorSchema: Schema = {
  type: "object",
  description:
    "Every REST error: a stable code to branch on, a readable message, and what applies of the rest.",
  properties: {
    code: { type: "string", examples: ["RATE_LIMITED"] },
    message: { type: "string" },
    issues: { type: "array", items: { type: "object" }, description: "Input problems, one per field" },
    details: { type: "object", additionalProperties: true },
  },
  required: ["code", "message"],
};

const tooManyRequests: ResponseDefinition = {
  description: "A rate limit is spent; retry after the number of seconds in Retry-After",
  headers: {
    "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } },
    "RateLimit-Limit": { schema: { type: "integer" } },
    "RateLimit-Remaining": { schema: { type: "integer" } },
    "RateLimit-Reset": { schema: { type: "integer" } },
  },
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
};

/**
 * What the generator leaves out: public operations say so (`security: []`, not "unspecified"), and every
 * operation can answer 429, since every request passes the rate limit.
 */
function complete(document: OpenAPIObject): OpenAPIObject {
  documentFileRoutes(document.paths ?? {});
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(pathItem as Record<string, Operation>)) {
      operation.security ??= [];
      operation.responses = {
        ...operation.responses,
        "429": { $ref: "#/components/responses/TooManyRequests" },
      };
    }
  }
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Error: errorSchema },
    responses: { ...document.components?.responses, TooManyRequests: tooManyRequests },
  };
  // No licence is granted yet (package.json is private and names none): say so, in SPDX's form for "none".
  document.info.license = { name: "UNLICENSED", identifier: "LicenseRef-UNLICENSED" };
  return document;
}

let cached: OpenAPIObject | null = null;

export function openApiDocument(config: Pick<Config, "SESSION_COOKIE_NAME">): OpenAPIObject {
  cached ??= complete(
    generateOpenApiDocument(appRouter, {
      title: "BlockScore API",
      description:
        "REST compatibility layer over the tRPC procedures. Authenticate with `Authorization: Bearer <token>` " +
        "(the token from register or login) or the session cookie; a state-changing request made with the " +
        "cookie must come from an allowed Origin. Errors are `{ code, message, issues?, details? }`.",
      version: "1.0.0",
      baseUrl: "/api",
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer" },
        cookieAuth: { type: "apiKey", in: "cookie", name: config.SESSION_COOKIE_NAME },
      },
    }),
  );
  return cached;
}

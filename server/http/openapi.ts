import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { appRouter } from "../../routers";
import type { Config } from "../config";

let cached: OpenAPIObject | null = null;

export function openApiDocument(config: Pick<Config, "SESSION_COOKIE_NAME">): OpenAPIObject {
  cached ??= generateOpenApiDocument(appRouter, {
    title: "BlockScore API",
    description:
      "REST compatibility layer over the tRPC procedures. Authenticate with `Authorization: Bearer <token>` " +
      "(the token from register or login) or the session cookie. Errors are `{ code, message, issues?, details? }`.",
    version: "1.0.0",
    baseUrl: "/api",
    securitySchemes: {
      bearerAuth: { type: "http", scheme: "bearer" },
      cookieAuth: { type: "apiKey", in: "cookie", name: config.SESSION_COOKIE_NAME },
    },
  });
  return cached;
}

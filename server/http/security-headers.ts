import type { Config } from "../config";

export const securityHeaders: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
};

/** The docs page runs its own inline script and styles, and nothing from elsewhere. */
export const docsPageCsp =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";

export function corsHeaders(
  config: Pick<Config, "CORS_ORIGINS">,
  origin: string | null,
): Record<string, string> {
  if (!origin) return {};
  const allowed = config.CORS_ORIGINS.includes("*") || config.CORS_ORIGINS.includes(origin);
  if (!allowed) return {};
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "GET, POST, PATCH, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key, X-Request-Id, trpc-accept",
    "Access-Control-Expose-Headers":
      "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset",
    "Access-Control-Max-Age": "600",
    Vary: "Origin",
  };
}

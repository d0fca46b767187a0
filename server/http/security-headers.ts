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

const CORS_COMMON = {
  "Access-Control-Allow-Methods": "GET, POST, PATCH, PUT, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key, X-Request-Id, trpc-accept",
  "Access-Control-Expose-Headers":
    "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset",
  "Access-Control-Max-Age": "600",
};

/**
 * A listed origin is answered with itself and may send credentials (the session cookie). `*` answers any origin
 * with `*` and never with credentials: browsers then send no cookie, and only bearer tokens work, which is why
 * config refuses `*` while cookie sessions are on.
 */
export function corsHeaders(
  config: Pick<Config, "CORS_ORIGINS">,
  origin: string | null,
): Record<string, string> {
  if (!origin) return {};
  if (config.CORS_ORIGINS.includes(origin)) {
    return {
      ...CORS_COMMON,
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Credentials": "true",
      Vary: "Origin",
    };
  }
  if (config.CORS_ORIGINS.includes("*")) return { ...CORS_COMMON, "Access-Control-Allow-Origin": "*" };
  return {};
}

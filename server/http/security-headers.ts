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

const SECURITY_HEADER_LIST = Object.entries(securityHeaders);
/** Present on a response only with all the others: one look tells `withSecurityHeaders` there is nothing to do. */
const MARKER = "X-Content-Type-Options";
const JSON_BASE = new Headers({ ...securityHeaders, "Content-Type": "application/json" });

/**
 * Headers for a JSON answer with the security headers already in: one native copy of a prepared set costs about
 * half of setting seven headers one by one on the finished response.
 */
export function jsonHeaders(): Headers {
  return new Headers(JSON_BASE);
}

/** Adds the security headers a response lacks, keeping any it set itself (the docs page its own CSP). */
export function withSecurityHeaders(headers: Headers): void {
  if (headers.has(MARKER)) return;
  for (const [name, value] of SECURITY_HEADER_LIST) if (!headers.has(name)) headers.set(name, value);
}

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

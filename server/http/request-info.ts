import type { Config } from "../config";

/** The path of a request URL, without the query: cheaper than `new URL` on every request. */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const query = url.indexOf("?", start);
  return query === -1 ? url.slice(start) : url.slice(start, query);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honour the caller's X-Request-Id when it is a sane token, so a trace can span services; otherwise make one. */
export function requestIdFor(request: Request): string {
  const given = request.headers.get("x-request-id");
  return given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

/**
 * The client address is the socket's, unless the socket is one of the proxies named in TRUST_PROXY: then the
 * right-most X-Forwarded-For hop that is not itself a trusted proxy.
 */
export function clientAddress(
  config: Pick<Config, "TRUST_PROXY">,
  socketAddress: string | null,
  request: Request,
): string | null {
  if (!socketAddress || config.TRUST_PROXY.length === 0) return socketAddress;
  const trusted = new Set(config.TRUST_PROXY);
  if (!(trusted.has(socketAddress) || trusted.has("*"))) return socketAddress;
  const hops = (request.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = hops[index];
    if (hop && !trusted.has(hop)) return hop;
  }
  return socketAddress;
}

export type CredentialSource = "bearer" | "cookie" | null;

/**
 * The session token and where it came from: the Bearer header first; the cookie is the browser's way to send
 * the same token, read only while cookie sessions are on (SESSION_COOKIE_ENABLED).
 */
export function sessionCredentialFrom(
  request: Request,
  config: Pick<Config, "SESSION_COOKIE_NAME" | "SESSION_COOKIE_ENABLED">,
): { token: string | null; source: CredentialSource } {
  const authorization = request.headers.get("authorization");
  if (authorization?.toLowerCase().startsWith("bearer ")) {
    const token = authorization.slice(7).trim() || null;
    return { token, source: token ? "bearer" : null };
  }
  const cookies = config.SESSION_COOKIE_ENABLED ? request.headers.get("cookie") : null;
  if (!cookies) return { token: null, source: null };
  for (const part of cookies.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === config.SESSION_COOKIE_NAME) {
      const token = value.join("=") || null;
      return { token, source: token ? "cookie" : null };
    }
  }
  return { token: null, source: null };
}

/**
 * This server's origin as the browser sees it: the request's scheme and Host, or, from a proxy named in
 * TRUST_PROXY, the X-Forwarded-Proto and X-Forwarded-Host it sets.
 */
export function ownOrigin(
  config: Pick<Config, "TRUST_PROXY">,
  socketAddress: string | null,
  request: Request,
): string {
  const url = new URL(request.url);
  const trusted = new Set(config.TRUST_PROXY);
  const fromProxy = socketAddress !== null && (trusted.has(socketAddress) || trusted.has("*"));
  const forwarded = (name: string) =>
    fromProxy ? request.headers.get(name)?.split(",")[0]?.trim() || null : null;
  const scheme = forwarded("x-forwarded-proto") ?? url.protocol.replace(/:$/, "");
  const host = forwarded("x-forwarded-host") ?? request.headers.get("host") ?? url.host;
  return `${scheme}://${host}`;
}

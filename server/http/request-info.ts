import type { Config } from "../config";

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
  const trusted = new Set(config.TRUST_PROXY);
  if (!socketAddress || !(trusted.has(socketAddress) || trusted.has("*"))) return socketAddress;
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

/** Bearer header first; the cookie is the browser's way to send the same token. */
export function sessionTokenFrom(request: Request, cookieName: string): string | null {
  const authorization = request.headers.get("authorization");
  if (authorization?.toLowerCase().startsWith("bearer ")) return authorization.slice(7).trim() || null;
  const cookies = request.headers.get("cookie");
  if (!cookies) return null;
  for (const part of cookies.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === cookieName) return value.join("=") || null;
  }
  return null;
}

import type { Config } from "../config";
import { DomainError } from "../errors";
import type { CredentialSource } from "./request-info";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A browser sends the session cookie with any site's form or fetch, so a state-changing request that the cookie
 * authenticates must prove it comes from a page of ours: its `Origin` is the server's own or one listed in
 * CORS_ORIGINS, or, where a browser sends no Origin, `Sec-Fetch-Site: same-origin`. Bearer tokens are never
 * sent by a browser on its own, so bearer requests (and anonymous ones) are not affected.
 */
export function assertNotCrossSiteCookieRequest(
  config: Pick<Config, "CORS_ORIGINS">,
  request: Request,
  params: { credential: CredentialSource; ownOrigin: string },
): void {
  if (params.credential !== "cookie" || SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.get("origin");
  if (origin !== null) {
    if (origin === params.ownOrigin || config.CORS_ORIGINS.includes(origin)) return;
    throw rejected(`Origin ${origin} is not allowed to use the session cookie`);
  }
  if (request.headers.get("sec-fetch-site") === "same-origin") return;
  throw rejected("A request authenticated by the session cookie must carry its Origin");
}

function rejected(reason: string): DomainError {
  return new DomainError(
    "forbidden",
    "CSRF_REJECTED",
    `${reason}; send the token as Authorization: Bearer from other clients`,
  );
}

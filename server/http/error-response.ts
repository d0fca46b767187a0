import { PayloadTooLargeError } from "./body";
import { domainErrorAnswer, domainErrorOf } from "./error-body";

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/**
 * The answer to a failure raised before any procedure runs (rate limits, CSRF, batch rules, body size), in the
 * REST error shape, with the status the procedures would give the same kind. Anything else is not ours to
 * describe: null.
 */
export function transportErrorResponse(error: unknown): Response | null {
  if (error instanceof PayloadTooLargeError) {
    // The rest of the body was drained or dropped: this connection carries nothing more.
    return jsonResponse(413, { code: "PAYLOAD_TOO_LARGE", message: error.message }, { Connection: "close" });
  }
  const domain = domainErrorOf(error);
  if (!domain) return null;
  const answer = domainErrorAnswer(domain);
  return jsonResponse(answer.status, answer.body, answer.headers);
}

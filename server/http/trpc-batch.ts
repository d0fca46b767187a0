import { invalidInput } from "../errors";

/** Procedures that check a secret or make a session: one per request, so a batch cannot multiply guesses. */
const SECRET_ROUTERS = ["auth.", "mfa."];

/**
 * The procedure calls one tRPC request carries: `/trpc/a,b,c?batch=1` is three, anything else one. Every call
 * is charged to the rate limits as a request of its own.
 */
export function trpcCalls(url: URL): string[] {
  const raw = url.pathname.replace(/^\/trpc\/?/, "");
  let path = raw;
  try {
    path = decodeURIComponent(raw);
  } catch {} // a malformed escape: tRPC answers it with 404; the count is the same
  return url.searchParams.get("batch") ? path.split(",") : [path];
}

/**
 * A batch holds at most `maxBatch` calls (TRPC_MAX_BATCH) and at most one `auth.*` or `mfa.*` call; a batch of
 * one, as the typed client sends a lone call, is always fine. Anything else is a 400 naming the rule.
 */
export function assertTrpcBatchAllowed(calls: string[], maxBatch: number): void {
  if (calls.length > maxBatch) {
    throw invalidInput(
      "BATCH_TOO_LARGE",
      `A batch may hold at most ${maxBatch} calls (TRPC_MAX_BATCH); this one holds ${calls.length}`,
      { limit: maxBatch, calls: calls.length },
    );
  }
  const secretCalls = calls.filter((call) => SECRET_ROUTERS.some((prefix) => call.startsWith(prefix)));
  if (secretCalls.length > 1) {
    throw invalidInput(
      "BATCH_AUTH_CALLS",
      "A batch may hold at most one auth.* or mfa.* call; send them one at a time",
      { limit: 1, calls: secretCalls.length },
    );
  }
}

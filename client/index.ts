import { createTRPCClient, httpBatchLink, httpLink, splitLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../routers";

export type { AppRouter } from "../routers";

export type ClientOptions = {
  /** The server's base URL, e.g. http://localhost:3000 */
  url: string;
  /** A session token from `auth.register` or `auth.login`; read on every request, so it may change. */
  token?: string | null | (() => string | null | undefined);
  /** Calls per batch request; the server refuses more than its TRPC_MAX_BATCH (10 by default). */
  maxBatch?: number;
};

/**
 * A typed tRPC client for BlockScore: superjson for dates, batching of calls made in the same tick. `auth.*` and
 * `mfa.*` calls go one per request, as the server requires (a batch carries at most one of them).
 */
export function createClient(options: ClientOptions) {
  const link = {
    url: `${options.url.replace(/\/$/, "")}/trpc`,
    transformer: superjson,
    headers() {
      const token = typeof options.token === "function" ? options.token() : options.token;
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => /^(auth|mfa)\./.test(operation.path),
        true: httpLink(link),
        false: httpBatchLink({ ...link, maxItems: options.maxBatch ?? 10 }),
      }),
    ],
  });
}

export type BlockScoreClient = ReturnType<typeof createClient>;

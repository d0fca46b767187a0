import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../routers";

export type { AppRouter } from "../routers";

export type ClientOptions = {
  /** The server's base URL, e.g. http://localhost:3000 */
  url: string;
  /** A session token from `auth.register` or `auth.login`; read on every request, so it may change. */
  token?: string | null | (() => string | null | undefined);
};

/** A typed tRPC client for BlockScore: superjson for dates, batching of calls made in the same tick. */
export function createClient(options: ClientOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${options.url.replace(/\/$/, "")}/trpc`,
        transformer: superjson,
        headers() {
          const token = typeof options.token === "function" ? options.token() : options.token;
          return token ? { Authorization: `Bearer ${token}` } : {};
        },
      }),
    ],
  });
}

export type BlockScoreClient = ReturnType<typeof createClient>;

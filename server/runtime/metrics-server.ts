import type { Server } from "bun";
import { METRICS_CONTENT_TYPE } from "../metrics";

/**
 * The internal metrics port (METRICS_PORT): `GET /metrics` without a token, nothing else. It listens on HOST like
 * the main port, so keep the port itself off the public network (a firewall rule, or HOST on a private address).
 */
export function serveMetrics(options: {
  hostname: string;
  port: number;
  exposition: () => Promise<string>;
}): Server<undefined> {
  return Bun.serve({
    hostname: options.hostname,
    port: options.port,
    reusePort: false,
    routes: {
      "/metrics": {
        GET: async () =>
          new Response(await options.exposition(), { headers: { "content-type": METRICS_CONTENT_TYPE } }),
      },
    },
    fetch: () => new Response("Not found", { status: 404 }),
  });
}

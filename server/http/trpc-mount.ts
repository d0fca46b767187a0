import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "../../routers";
import { type AppDeps, createContext } from "../context";
import type { ClientInfo } from "./client-info";

/** tRPC's own fetch adapter (v11). `@elysiajs/trpc` bundles tRPC v10 and cannot serve v11 procedures. */
export function handleTrpc(deps: AppDeps, request: Request, client: ClientInfo): Promise<Response> {
  return fetchRequestHandler({
    endpoint: "/trpc",
    req: request,
    router: appRouter,
    createContext: ({ resHeaders }) =>
      createContext(deps, {
        ...client,
        setHeader: (name, value) =>
          name.toLowerCase() === "set-cookie" ? resHeaders.append(name, value) : resHeaders.set(name, value),
      }),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        deps.logger.error(
          { err: error.cause ?? error, path, requestId: client.requestId },
          "procedure failed",
        );
      }
    },
  });
}

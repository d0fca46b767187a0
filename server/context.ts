import type { Logger } from "pino";
import type { Database } from "../db/client";
import type { Session } from "../db/schema";
import type { ClientMeta } from "./auth/account";
import { type PublicUser, validateSessionToken } from "./auth/session";
import type { Config } from "./config";

/** Everything built once at start-up and shared by every request. */
export type AppDeps = {
  config: Config;
  db: Database;
  logger: Logger;
};

/** What the transport tells the procedures about the request, and the one way they can answer besides data. */
export type RequestInfo = ClientMeta & {
  token: string | null;
  setHeader(name: string, value: string): void;
};

/**
 * Inner context: plain values, built directly by tests. `session` and `user` are null for anonymous callers;
 * the protected procedures narrow them.
 */
export type Context = AppDeps & {
  request: RequestInfo;
  session: Session | null;
  user: PublicUser | null;
};

export async function createContext(deps: AppDeps, request: RequestInfo): Promise<Context> {
  const validation = request.token
    ? await validateSessionToken(deps.db, sessionPolicy(deps.config), request.token)
    : { session: null, user: null };
  return { ...deps, request: { ...request, actorId: validation.user?.id ?? null }, ...validation };
}

export function sessionPolicy(config: Config): { ttlMs: number } {
  return { ttlMs: config.SESSION_TTL_DAYS * 24 * 60 * 60 * 1000 };
}

import type { RequestInfo } from "../context";

/** What the HTTP layer knows about the caller before any procedure runs. */
export type ClientInfo = Omit<RequestInfo, "setHeader">;

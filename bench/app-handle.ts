/**
 * The app's own CPU per request, without sockets, wrk or other processes: `app.handle` in a loop on an in-memory
 * PGlite, one request at a time, timed with the process's CPU clock. On a shared, loaded machine this is the
 * steadiest figure for changes to the per-request path (rate limit, metrics, headers, context, tRPC); the
 * database routes include PGlite's own work, so compare them only with themselves.
 *
 * Run: bun bench/app-handle.ts [--requests 20000] [--only <part of a route's name>]
 * (under `bun --cpu-prof` for a profile of one route).
 */
import { parseArgs } from "node:util";
import { createInProcessApp, FINANCIAL_PROFILE } from "./lib/app";

const { values: args } = parseArgs({
  options: { requests: { type: "string", default: "20000" }, only: { type: "string", default: "" } },
});
const REQUESTS = Number(args.requests);
const BASE = "http://127.0.0.1:3000";

const { app, close } = await createInProcessApp();
const call = async (method: string, path: string, init: { token?: string; body?: unknown } = {}) => {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await app.handle(
    new Request(`${BASE}${path}`, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
  );
  const text = await response.text();
  return { status: response.status, text };
};

const registered = await call("POST", "/api/auth/register", {
  body: { email: "bench@example.test", password: "violet-harbour-lantern-42", name: "Bench" },
});
const { token } = JSON.parse(registered.text) as { token: string };
await call("PATCH", "/api/profile", { token, body: FINANCIAL_PROFILE });

const ROUTES: [string, string, string, { token?: string; body?: unknown }][] = [
  ["GET /api/health (anonymous)", "GET", "/api/health", {}],
  ["GET /api/health (a bearer token)", "GET", "/api/health", { token: "x".repeat(40) }],
  ["unknown path (404)", "GET", "/no/such/route", {}],
  ["GET /api/profile", "GET", "/api/profile", { token }],
  ["profile.get (tRPC)", "GET", "/trpc/profile.get", { token }],
  ["POST /api/credit/simulate", "POST", "/api/credit/simulate", { token, body: FINANCIAL_PROFILE }],
];

console.log(
  `app.handle, ${REQUESTS} requests per route after ${REQUESTS / 10} to warm up, Bun ${Bun.version}`,
);
for (const [name, method, path, init] of ROUTES.filter(([name]) => name.includes(args.only))) {
  const first = await call(method, path, init);
  if (first.status >= 500) throw new Error(`${name} answered ${first.status}: ${first.text}`);
  for (let i = 0; i < REQUESTS / 10; i++) await call(method, path, init);
  const before = process.cpuUsage();
  for (let i = 0; i < REQUESTS; i++) await call(method, path, init);
  const used = process.cpuUsage(before);
  const micros = (used.user + used.system) / REQUESTS;
  console.log(
    `${name.padEnd(34)} ${micros.toFixed(1).padStart(7)} µs CPU per request (status ${first.status})`,
  );
}
await close();

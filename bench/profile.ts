/**
 * Where a route's CPU time goes: BlockScore runs under `bun --cpu-prof` on a fresh database of the machine's
 * Postgres, wrk loads one route, the server is stopped (the profile is written at exit), and this prints the
 * self time by package and the functions with the most self time. The .cpuprofile file stays for Chrome DevTools.
 *
 * Run: bun bench/profile.ts [route] [--seconds 10] [--connections 32]
 *   route: health | profile | trpc-profile | simulate | not-found (default profile)
 * BENCH_DATABASE_URL as in bench/peers.ts; BENCH_LOG_LEVEL sets the server's LOG_LEVEL (default info).
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { createFreshPostgresDatabase, dropPostgresDatabase } from "../tests/helpers/database";
import { REPO_ROOT, startServerProcess } from "../tests/helpers/processes";
import { FINANCIAL_PROFILE } from "./lib/app";
import { runWrk, type WrkRequest } from "./lib/wrk";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { seconds: { type: "string", default: "10" }, connections: { type: "string", default: "32" } },
});
const ROUTES: Record<string, (tokens: string[]) => WrkRequest> = {
  health: () => ({ method: "GET", path: "/api/health" }),
  profile: (tokens) => ({ method: "GET", path: "/api/profile", tokens }),
  "trpc-profile": (tokens) => ({ method: "GET", path: "/trpc/profile.get", tokens }),
  simulate: (tokens) => ({ method: "POST", path: "/api/credit/simulate", tokens, body: FINANCIAL_PROFILE }),
  "not-found": () => ({ method: "GET", path: "/no/such/route" }),
};
const routeName = positionals[0] ?? "profile";
const route = ROUTES[routeName];
if (!route) throw new Error(`unknown route ${routeName}; one of ${Object.keys(ROUTES).join(", ")}`);

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** node_modules/<package> or the project folder a script belongs to; "(native)" for frames without a file. */
function ownerOf(url: string): string {
  if (!url) return "(native or runtime)";
  const path = url.replace(/^file:\/\//, "");
  const inModules = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (inModules) return inModules[1] as string;
  if (path.startsWith(REPO_ROOT)) return relative(REPO_ROOT, path).split("/").slice(0, 2).join("/");
  return path.startsWith("/") ? path : `(${path})`;
}

function report(profile: CpuProfile, top: number): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const total = [...self.values()].reduce((sum, value) => sum + value, 0);
  const idle = [...self]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === "(idle)")
    .reduce((s, [, v]) => s + v, 0);
  const busy = total - idle;
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, time] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === "(idle)") continue;
    const owner = ownerOf(frame.url);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + time);
    const key = `${frame.functionName || "(anonymous)"}  ${owner}:${frame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + time);
  }
  const percent = (value: number) => `${((value / busy) * 100).toFixed(1).padStart(5)} %`;
  console.log(
    `busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s sampled; self time by owner:`,
  );
  for (const [owner, time] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${percent(time)}  ${owner}`);
  console.log("functions with the most self time:");
  for (const [name, time] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${percent(time)}  ${name}`);
}

const databaseUrl = await createFreshPostgresDatabase(
  process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
);
const profileDir = mkdtempSync(join(tmpdir(), "blockscore-cpuprof-"));
try {
  const server = await startServerProcess({
    env: {
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
      RATE_LIMIT_GENERAL: "1000000000/60",
      JOBS_POLL_INTERVAL_SECONDS: "2",
    },
    args: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "server/main.ts"],
  });
  const tokens: string[] = [];
  for (let index = 0; index < 20; index += 1) {
    const response = await fetch(`${server.url}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: `prof-${index}@example.test`,
        password: "violet-harbour-lantern-42",
        name: "Profile",
      }),
    });
    const { token } = (await response.json()) as { token: string };
    await fetch(`${server.url}/api/profile`, {
      method: "PATCH",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(FINANCIAL_PROFILE),
    });
    tokens.push(token);
  }
  const result = await runWrk(server.url, route(tokens), {
    connections: Number(args.connections),
    seconds: Number(args.seconds),
  });
  console.log(
    `${routeName}: ${Math.round(result.perSecond)} req/s, p99 ${result.p99Ms.toFixed(1)} ms, non-2xx ${result.non2xx}`,
  );
  const code = await server.stop();
  const file = readdirSync(profileDir).find((name) => name.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no profile written (exit code ${code}) in ${profileDir}`);
  console.log(`profile: ${join(profileDir, file)}`);
  report(JSON.parse(readFileSync(join(profileDir, file), "utf8")) as CpuProfile, 25);
} finally {
  await dropPostgresDatabase(databaseUrl);
}

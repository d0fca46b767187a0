/**
 * BlockScore next to its two peers, side by side in one run, on the machine's Postgres:
 *   - raw `Bun.serve` + postgres.js (bench/peers/raw-bun.ts),
 *   - Express 5 + tRPC on Node 20 (bench/peers/express-trpc.ts, bundled for Node here),
 *   - BlockScore as operators run it (`bun server/main.ts`, NODE_ENV=production, LOG_LEVEL=info, log to a file),
 * each doing the same session check and profile read for the same users. wrk drives every route on every server
 * with the same connections and duration, one server at a time, and the table gives req/s, p99 and the ratios.
 * Then BlockScore's peak RSS under that load, its start-up time on the existing database, and (with nginx)
 * throughput of three instances behind nginx against one.
 *
 * Run: bun bench/peers.ts [--seconds 10] [--connections 32] [--users 20] [--rounds 1] [--skip-cluster]
 * Needs wrk and node (20+); nginx for the cluster part. BENCH_DATABASE_URL names the Postgres server to create a
 * fresh database on (default postgres://postgres@127.0.0.1:5432/postgres); the database is dropped at the end.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createFreshPostgresDatabase, dropPostgresDatabase } from "../tests/helpers/database";
import { ensureNginx, startNginx } from "../tests/helpers/nginx";
import {
  cpuSeconds,
  freePort,
  REPO_ROOT,
  rssBytes,
  type ServerProcess,
  startServerProcess,
  waitForHttp,
} from "../tests/helpers/processes";
import { FINANCIAL_PROFILE } from "./lib/app";
import { formatInteger } from "./lib/stats";
import { runWrk, type WrkRequest, type WrkResult, wrkInstalled } from "./lib/wrk";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "32" },
    users: { type: "string", default: "20" },
    rounds: { type: "string", default: "1" },
    "skip-cluster": { type: "boolean", default: false },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const USERS = Number(args.users);
const ROUNDS = Number(args.rounds);
const WARMUP_SECONDS = 2;
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

type Peer = "raw" | "express" | "blockscore";
type Target = { name: Peer; url: string; pid: number };
type Route = { label: string; request: (tokens: string[]) => WrkRequest; on: Peer[] };

const routes: Route[] = [
  {
    label: "GET /api/health",
    request: () => ({ method: "GET", path: "/api/health" }),
    on: ["raw", "express", "blockscore"],
  },
  {
    label: "authenticated GET /api/profile (REST)",
    request: (tokens) => ({ method: "GET", path: "/api/profile", tokens }),
    on: ["raw", "express", "blockscore"],
  },
  {
    label: "authenticated profile.get (tRPC)",
    request: (tokens) => ({ method: "GET", path: "/trpc/profile.get", tokens }),
    on: ["express", "blockscore"],
  },
  {
    label: "POST /api/credit/simulate",
    request: (tokens) => ({ method: "POST", path: "/api/credit/simulate", tokens, body: FINANCIAL_PROFILE }),
    on: ["raw", "express", "blockscore"],
  },
  {
    label: "an unknown path (404)",
    request: () => ({ method: "GET", path: "/no/such/route" }),
    on: ["raw", "express", "blockscore"],
  },
];

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");

type Measured = WrkResult & { cpuUsPerRequest: number };

/**
 * wrk against one target while sampling its RSS; the warm-up run's figures are dropped. The server's CPU time
 * over the run divided by the requests it answered is its CPU cost per request, which a busy machine changes
 * much less than req/s.
 */
async function measure(target: Target, request: WrkRequest, peakRss: Map<Peer, number>): Promise<Measured> {
  await runWrk(target.url, request, { connections: CONNECTIONS, seconds: WARMUP_SECONDS });
  const sampler = setInterval(() => {
    const rss = rssBytes(target.pid) ?? 0;
    if (rss > (peakRss.get(target.name) ?? 0)) peakRss.set(target.name, rss);
  }, 200);
  const cpuBefore = cpuSeconds(target.pid);
  try {
    const result = await runWrk(target.url, request, { connections: CONNECTIONS, seconds: SECONDS });
    const cpuUsPerRequest = ((cpuSeconds(target.pid) - cpuBefore) * 1e6) / Math.max(1, result.requests);
    return { ...result, cpuUsPerRequest };
  } finally {
    clearInterval(sampler);
  }
}

async function registerUsers(baseUrl: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const registered = await fetch(`${baseUrl}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: `bench-${index}-${Date.now()}@example.test`,
        password: "violet-harbour-lantern-42",
        name: `Bench ${index}`,
      }),
    });
    if (!registered.ok) throw new Error(`register answered ${registered.status}: ${await registered.text()}`);
    const { token } = (await registered.json()) as { token: string };
    const patched = await fetch(`${baseUrl}/api/profile`, {
      method: "PATCH",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(FINANCIAL_PROFILE),
    });
    if (!patched.ok) throw new Error(`profile answered ${patched.status}: ${await patched.text()}`);
    tokens.push(token);
  }
  return tokens;
}

async function startPeer(
  command: string[],
  env: Record<string, string>,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const child = Bun.spawn(command, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", ...env, PORT: String(port) },
    stdout: "ignore",
    stderr: "inherit",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/api/health`, 15_000, child.exited);
  return {
    url,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

function blockscoreEnv(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    NODE_ENV: "production",
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    RATE_LIMIT_GENERAL: "1000000000/60",
    RATE_LIMIT_REGISTER_IP: "100000/3600",
    // The default, not the test rig's faster polling.
    JOBS_POLL_INTERVAL_SECONDS: "2",
    ...(process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL } : {}),
  };
}

/** Time from spawn to the first answer of /api/health, on the database the first start migrated. */
async function startupTimes(env: Record<string, string>, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const instance = await startServerProcess({ env });
    times.push(performance.now() - started);
    await instance.stop();
  }
  return times;
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function cell(result: WrkResult | undefined): string {
  if (!result) return "";
  const errors = result.socketErrors > 0 ? `, ${result.socketErrors} socket errors` : "";
  return `${formatInteger(result.perSecond)} (p99 ${result.p99Ms.toFixed(1)} ms${errors})`;
}

const ratio = (a: WrkResult | undefined, b: WrkResult | undefined, percent: boolean) =>
  a && b
    ? percent
      ? `${((a.perSecond / b.perSecond) * 100).toFixed(0)} %`
      : `${(a.perSecond / b.perSecond).toFixed(2)}×`
    : "";

async function main(): Promise<void> {
  if (!wrkInstalled()) throw new Error("wrk is not installed (apt-get install wrk)");
  const node = Bun.which("node");
  if (!node) throw new Error("node is not installed (the Express peer runs on Node 20)");
  const nodeVersion = (await new Response(Bun.spawn([node, "--version"]).stdout).text()).trim();

  const databaseUrl = await createFreshPostgresDatabase(ADMIN_URL);
  const running: { stop(): Promise<unknown> }[] = [];
  try {
    const env = blockscoreEnv(databaseUrl);
    const blockscore: ServerProcess = await startServerProcess({ env });
    running.push(blockscore);
    const tokens = await registerUsers(blockscore.url, USERS);

    const bundle = join(mkdtempSync(join(os.tmpdir(), "blockscore-peer-")), "express-trpc.mjs");
    const built = Bun.spawnSync(
      ["bun", "build", "bench/peers/express-trpc.ts", "--target=node", "--outfile", bundle],
      {
        cwd: REPO_ROOT,
        stderr: "pipe",
      },
    );
    if (built.exitCode !== 0) throw new Error(`bundling the Express peer failed: ${built.stderr.toString()}`);
    const raw = await startPeer([process.execPath, "bench/peers/raw-bun.ts"], { DATABASE_URL: databaseUrl });
    running.push(raw);
    const express = await startPeer([node, bundle], { DATABASE_URL: databaseUrl });
    running.push(express);

    const targets: Record<Peer, Target> = {
      raw: { name: "raw", url: raw.url, pid: raw.pid },
      express: { name: "express", url: express.url, pid: express.pid },
      blockscore: { name: "blockscore", url: blockscore.url, pid: blockscore.pid },
    };

    console.log(`# BlockScore and its peers, ${new Date().toISOString().slice(0, 10)}`);
    console.log(
      `Bun ${Bun.version}, Node ${nodeVersion}, ${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ` +
        `Postgres at ${new URL(ADMIN_URL).host}, wrk ${CONNECTIONS} connections ${SECONDS} s per cell ` +
        `(after ${WARMUP_SECONDS} s warm-up), ${USERS} signed-in users, BlockScore LOG_LEVEL=${env.LOG_LEVEL}` +
        `${env.REDIS_URL ? ", Redis" : ", no Redis"}; load average at start ${load()}\n`,
    );

    const peakRss = new Map<Peer, number>();
    const cpuRows: string[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      if (ROUNDS > 1) console.log(`round ${round} of ${ROUNDS}`);
      console.log(
        row([
          "route",
          "raw Bun",
          "Express + tRPC (Node)",
          "BlockScore",
          "BlockScore / raw",
          "BlockScore / Express",
          "non-2xx (raw, Express, BlockScore)",
        ]),
      );
      console.log(row(["---", "---", "---", "---", "---", "---", "---"]));
      for (const route of routes) {
        const results: Partial<Record<Peer, Measured>> = {};
        for (const name of route.on)
          results[name] = await measure(targets[name], route.request(tokens), peakRss);
        // tRPC has no raw peer: its ratio is to the raw REST read, the same work.
        const rawReference = results.raw;
        console.log(
          row([
            route.label,
            cell(results.raw),
            cell(results.express),
            cell(results.blockscore),
            ratio(results.blockscore, rawReference, true),
            ratio(results.blockscore, results.express, false),
            route.on.map((name) => String(results[name]?.non2xx ?? "–")).join(", "),
          ]),
        );
        const cpu = (name: Peer) => (results[name] ? `${Math.round(results[name].cpuUsPerRequest)} µs` : "");
        cpuRows.push(row([route.label, cpu("raw"), cpu("express"), cpu("blockscore")]));
      }
      console.log(`load average after round ${round}: ${load()}\n`);
      console.log("server CPU time per request (user + system, the server process only):");
      console.log(row(["route", "raw Bun", "Express + tRPC (Node)", "BlockScore"]));
      console.log(row(["---", "---", "---", "---"]));
      for (const line of cpuRows.splice(0)) console.log(line);
      console.log("");
    }
    console.log(
      `peak RSS under load: BlockScore ${mb(peakRss.get("blockscore") ?? 0)}, raw Bun ${mb(peakRss.get("raw") ?? 0)}, ` +
        `Express ${mb(peakRss.get("express") ?? 0)}`,
    );

    await blockscore.stop();
    running.splice(running.indexOf(blockscore), 1);
    const times = (await startupTimes(env, 3)).sort((a, b) => a - b);
    console.log(
      `BlockScore start-up on the existing database (spawn to first /api/health answer), 3 runs: ` +
        `${times.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(", ")}`,
    );

    if (!args["skip-cluster"]) await cluster(env, tokens, running);
  } finally {
    for (const process of running.reverse()) await process.stop().catch(() => {});
    await dropPostgresDatabase(databaseUrl).catch(() => {});
  }
}

/** Authenticated REST reads: one instance direct, one behind nginx, three behind nginx. */
async function cluster(
  env: Record<string, string>,
  tokens: string[],
  running: { stop(): Promise<unknown> }[],
) {
  const nginx = await ensureNginx();
  if ("missing" in nginx) {
    console.log(`\nthree instances behind nginx: skipped, ${nginx.missing}`);
    return;
  }
  const instances: ServerProcess[] = [];
  for (let index = 0; index < 3; index += 1) {
    const instance = await startServerProcess({ env });
    instances.push(instance);
    running.push(instance);
  }
  const request: WrkRequest = { method: "GET", path: "/api/profile", tokens };
  const first = instances[0] as ServerProcess;
  const direct = await measureOnce(first.url, request);
  const single = await startNginx({ binary: nginx.binary, upstreamPorts: [first.port], workers: 1 });
  const viaOne = await measureOnce(single.url, request);
  await single.stop();
  const triple = await startNginx({
    binary: nginx.binary,
    upstreamPorts: instances.map((i) => i.port),
    workers: 1,
  });
  const viaThree = await measureOnce(triple.url, request);
  await triple.stop();
  console.log(`\nauthenticated GET /api/profile, ${CONNECTIONS} connections, load average ${load()}:`);
  console.log(row(["setup", "req/s (p99)", "vs one instance behind nginx", "non-2xx"]));
  console.log(row(["---", "---", "---", "---"]));
  console.log(row(["one instance, direct", cell(direct), "", String(direct.non2xx)]));
  console.log(row(["one instance behind nginx", cell(viaOne), "1.00×", String(viaOne.non2xx)]));
  console.log(
    row([
      "three instances behind nginx",
      cell(viaThree),
      ratio(viaThree, viaOne, false),
      String(viaThree.non2xx),
    ]),
  );
}

async function measureOnce(url: string, request: WrkRequest): Promise<WrkResult> {
  await runWrk(url, request, { connections: CONNECTIONS, seconds: WARMUP_SECONDS });
  return runWrk(url, request, { connections: CONNECTIONS, seconds: SECONDS });
}

await main();

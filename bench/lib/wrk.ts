/**
 * Load with wrk (the Debian package): N connections for a fixed time, the request written by a small Lua script
 * so authenticated routes rotate through several users' tokens, and a `done` hook that prints the figures as
 * JSON so nothing is scraped from wrk's human output.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type WrkRequest = {
  method: "GET" | "POST";
  path: string;
  /** One is picked per request, round robin, as `Authorization: Bearer …`. */
  tokens?: string[];
  body?: unknown;
};

export type WrkResult = {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers whose status is not 2xx/3xx. */
  non2xx: number;
  /** Connect, read, write and timeout errors. */
  socketErrors: number;
};

const lua = (string: string) => JSON.stringify(string);

function script(request: WrkRequest): string {
  const lines = [`wrk.method = ${lua(request.method)}`, `wrk.path = ${lua(request.path)}`];
  if (request.body !== undefined) {
    lines.push(
      `wrk.body = ${lua(JSON.stringify(request.body))}`,
      `wrk.headers["Content-Type"] = "application/json"`,
    );
  }
  if (request.tokens?.length) {
    lines.push(
      `local tokens = { ${request.tokens.map(lua).join(", ")} }`,
      "local i = 0",
      "request = function()",
      "  i = i + 1",
      '  wrk.headers["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1]',
      "  return wrk.format()",
      "end",
    );
  }
  lines.push(
    "done = function(summary, latency, requests)",
    "  local e = summary.errors",
    '  io.write(string.format(\'\\nWRK_JSON {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"status":%d,"socket":%d}\\n\',',
    "    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,",
    "    e.connect + e.read + e.write + e.timeout))",
    "end",
  );
  return lines.join("\n");
}

export function wrkInstalled(): boolean {
  return Bun.which("wrk") !== null;
}

/** Runs wrk against `baseUrl` and returns its figures; throws with wrk's output when it fails. */
export async function runWrk(
  baseUrl: string,
  request: WrkRequest,
  { connections, seconds, threads = 2 }: { connections: number; seconds: number; threads?: number },
): Promise<WrkResult> {
  const folder = mkdtempSync(join(tmpdir(), "blockscore-wrk-"));
  const scriptPath = join(folder, "request.lua");
  writeFileSync(scriptPath, script(request));
  const run = Bun.spawn(
    [
      "wrk",
      `-t${threads}`,
      `-c${connections}`,
      `-d${seconds}s`,
      "--timeout",
      "10s",
      "-s",
      scriptPath,
      baseUrl,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [output, errors, code] = await Promise.all([
    new Response(run.stdout).text(),
    new Response(run.stderr).text(),
    run.exited,
  ]);
  const line = output.split("\n").find((text) => text.startsWith("WRK_JSON "));
  if (code !== 0 || !line) throw new Error(`wrk failed (${code}):\n${output}\n${errors}`);
  const figures = JSON.parse(line.slice("WRK_JSON ".length)) as Record<string, number>;
  const requests = figures.requests ?? 0;
  return {
    requests,
    perSecond: requests / ((figures.durationUs ?? 1) / 1e6),
    p50Ms: (figures.p50Us ?? 0) / 1000,
    p99Ms: (figures.p99Us ?? 0) / 1000,
    non2xx: figures.status ?? 0,
    socketErrors: figures.socket ?? 0,
  };
}

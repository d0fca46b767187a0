import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "../../client";
import type { AppDeps } from "../../server/context";
import { modelArtifactSchema } from "../../server/credit/gbdt/artifact";
import { DEFAULT_MODEL_PATH } from "../../server/credit/gbdt/load";
import { engineVersion } from "../../server/credit/scoring-model";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { FULL_PROFILE, setRole } from "../helpers/credit";
import { TEST_METRICS_TOKEN } from "../helpers/keys";
import { restClient } from "../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

let deps: AppDeps;
let server: TestServer;
let capped: TestServer;

beforeAll(async () => {
  deps = await testDeps();
  server = await startTestServer(deps);
  capped = await startTestServer(await testDeps({ RATE_LIMIT_SCORE: "2/86400" }));
});
afterAll(async () => {
  await server.stop();
  await capped.stop();
});

type RestOptions = { token?: string; body?: unknown; base?: string };

function rest(method: string, path: string, options: RestOptions = {}) {
  return restClient(options.base ?? server.url)(method, path, options);
}

async function signUp(options: { profile?: object; base?: string } = {}) {
  const base = options.base;
  const { body } = await rest("POST", "/auth/register", {
    base,
    body: { email: uniqueEmail("credit"), password: TEST_PASSWORD, name: "Credit User" },
  });
  const token = body.token as string;
  if (options.profile)
    expect((await rest("PATCH", "/profile", { base, token, body: options.profile })).status).toBe(200);
  return { token, id: body.user.id as string };
}

describe("credit over REST", () => {
  it("calculates on a bare POST, then reads history and the latest score", async () => {
    const { token } = await signUp({ profile: FULL_PROFILE });
    // As curl -X POST sends it: no body, no content type.
    const first = await rest("POST", "/credit/calculate-score", { token });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      id: expect.any(String),
      score: expect.any(Number),
      band: expect.any(String),
      probabilityOfDefault: expect.any(Number),
      engine: "model",
      modelVersion: engineVersion(deps.scoring),
      reasons: expect.any(Array),
      missingInputs: [],
      calculatedAt: expect.any(String),
    });
    expect(first.body.score).toBeGreaterThanOrEqual(300);
    expect(first.body.score).toBeLessThanOrEqual(850);
    expect(first.body.reasons.length).toBeLessThanOrEqual(4);
    await Bun.sleep(2);
    const second = await rest("POST", "/credit/calculate-score", { token });

    const page = await rest("GET", "/credit/history?limit=1", { token });
    expect(page.status).toBe(200);
    expect(page.body.items.map((item: { id: string }) => item.id)).toEqual([second.body.id]);
    expect(page.body.items[0].inputs.revolvingUtilization).toBe(0.2);
    const next = await rest(
      "GET",
      `/credit/history?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`,
      {
        token,
      },
    );
    expect(next.body).toEqual({ items: [expect.objectContaining({ id: first.body.id })], nextCursor: null });
    expect((await rest("GET", "/credit/latest", { token })).body.id).toBe(second.body.id);
  });

  it("answers 400 INSUFFICIENT_DATA naming the missing profile fields, and stores nothing", async () => {
    const { token } = await signUp({ profile: { annualIncome: 40000, pastDue90Plus: 0 } });
    const response = await rest("POST", "/credit/calculate-score", { token });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("INSUFFICIENT_DATA");
    expect(response.body.details.fields).toEqual([
      "pastDue30to59",
      "pastDue60to89",
      "revolvingUtilizationPercent",
    ]);
    expect(response.body.message).toContain("revolvingUtilizationPercent");
    expect((await rest("GET", "/credit/latest", { token })).body.code).toBe("NO_SCORE");
    expect((await rest("GET", "/credit/history", { token })).body.items).toEqual([]);
  });

  it("simulates without storing and is public about its model", async () => {
    const { token } = await signUp();
    const simulated = await rest("POST", "/credit/simulate", {
      token,
      body: { ...FULL_PROFILE, revolvingUtilizationPercent: 85 },
    });
    expect(simulated.status).toBe(200);
    expect(simulated.body.id).toBeUndefined();
    const paidDown = await rest("POST", "/credit/simulate", {
      token,
      body: { ...FULL_PROFILE, revolvingUtilizationPercent: 5 },
    });
    expect(paidDown.body.score).toBeGreaterThanOrEqual(simulated.body.score);
    expect((await rest("GET", "/credit/history", { token })).body.items).toEqual([]);
    const bad = await rest("POST", "/credit/simulate", {
      token,
      body: { ...FULL_PROFILE, annualIncome: "lots" },
    });
    expect(bad.status).toBe(400);
    const card = await rest("GET", "/credit/model");
    expect(card.status).toBe(200);
    expect(card.body.model.metrics.holdout.auc).toBeGreaterThanOrEqual(0.862);
    expect(simulated.body.probabilityOfDefault).toBeGreaterThan(paidDown.body.probabilityOfDefault - 1e-9);
  });

  it("caps recalculations per user per day with 429 and Retry-After", async () => {
    const { token } = await signUp({ base: capped.url, profile: FULL_PROFILE });
    for (let i = 0; i < 2; i++) {
      expect((await rest("POST", "/credit/calculate-score", { base: capped.url, token })).status).toBe(200);
    }
    const limited = await rest("POST", "/credit/calculate-score", { base: capped.url, token });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Reading and simulating are not capped.
    expect((await rest("GET", "/credit/latest", { base: capped.url, token })).status).toBe(200);
  });

  it("keeps a user's scores from other users and shows them to underwriters", async () => {
    const owner = await signUp({ profile: FULL_PROFILE });
    const scored = (await rest("POST", "/credit/calculate-score", { token: owner.token })).body;
    const other = await signUp();
    expect((await rest("GET", `/credit/history?userId=${owner.id}`, { token: other.token })).status).toBe(
      403,
    );
    expect((await rest("GET", `/credit/latest?userId=${owner.id}`, { token: other.token })).status).toBe(403);
    const underwriter = await signUp();
    await setRole(deps, underwriter.id, "underwriter");
    const seen = await rest("GET", `/credit/latest?userId=${owner.id}`, { token: underwriter.token });
    expect(seen).toMatchObject({ status: 200, body: { id: scored.id } });
    expect(
      (await rest("GET", "/credit/history?userId=not-a-uuid", { token: underwriter.token })).status,
    ).toBe(400);
  });

  it("refuses anonymous callers with 401", async () => {
    expect((await rest("POST", "/credit/calculate-score")).status).toBe(401);
    expect((await rest("GET", "/credit/history")).status).toBe(401);
    expect((await rest("GET", "/credit/latest")).status).toBe(401);
    expect((await rest("POST", "/credit/simulate", { body: FULL_PROFILE })).status).toBe(401);
  });

  it("documents every credit operation in the OpenAPI document", async () => {
    const { status, body } = await rest("GET", "/openapi.json");
    expect(status).toBe(200);
    expect(body.paths["/credit/calculate-score"].post.security).toBeDefined();
    expect(body.paths["/credit/simulate"].post.requestBody).toBeDefined();
    expect(body.paths["/credit/history"].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      "cursor",
      "limit",
      "userId",
    ]);
    expect(body.paths["/credit/latest"].get).toBeDefined();
    expect(body.paths["/credit/model"].get.security ?? []).toEqual([]);
    expect(body.paths["/credit/model"].get.responses["200"]).toBeDefined();
  });

  it("reports the engine in /api/health to an operator", async () => {
    const { body } = await rest("GET", "/health", { token: TEST_METRICS_TOKEN });
    expect(body.checks.model).toMatchObject({
      status: "ok",
      info: { engine: "model", version: engineVersion(deps.scoring) },
    });
  });
});

describe("credit over tRPC", () => {
  it("calculates and simulates through the typed client", async () => {
    const { token } = await signUp({ profile: FULL_PROFILE });
    const client = createClient({ url: server.url, token });
    const [calculated, simulated] = await Promise.all([
      client.credit.calculateScore.mutate(),
      client.credit.simulate.mutate({ ...FULL_PROFILE }),
    ]);
    expect(calculated.calculatedAt).toBeInstanceOf(Date);
    expect(simulated.score).toBe(calculated.score);
  });
});

describe("start-up", () => {
  async function start(env: Record<string, string>, dir: string) {
    const child = Bun.spawn(["bun", join(import.meta.dir, "..", "..", "server", "main.ts")], {
      env: { ...process.env, ...env, DATA_DIR: dir, PORT: "0", LOG_LEVEL: "silent", DATABASE_URL: "" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const exitCode = await child.exited;
    return { exitCode, stderr: await new Response(child.stderr).text() };
  }

  it("stops with a clear message when the scorecard artifact is invalid", async () => {
    const dir = mkdtempSync(join(tmpdir(), "blockscore-start-"));
    const path = join(dir, "scorecard.json");
    writeFileSync(path, '{ "format": "blockscore.scorecard/1" }');
    const { exitCode, stderr } = await start({ SCORING_ENGINE: "scorecard", SCORECARD_PATH: path }, dir);
    expect(exitCode).toBe(1);
    expect(stderr).toContain("SCORECARD_PATH");
    expect(stderr).toContain("invalid scorecard artifact");
  });

  it("refuses to start on a model whose score would rise with lateness", async () => {
    const dir = mkdtempSync(join(tmpdir(), "blockscore-start-"));
    const model = modelArtifactSchema.parse(await Bun.file(DEFAULT_MODEL_PATH).json());
    // Doctor the first split on the 90+ days counter: its fewer-lates side becomes the riskiest leaf of all.
    const counter = 9;
    const t = model.trees.findIndex((nodes) =>
      nodes.some((node) => node.length === 3 && node[0] === counter),
    );
    const nodes = model.trees[t] as (typeof model.trees)[number];
    const split = nodes.findIndex((node) => node.length === 3 && node[0] === counter);
    let leaf = split + 1;
    while ((nodes[leaf] as unknown[]).length === 3) leaf++;
    nodes[leaf] = [5, (nodes[leaf] as [number, number])[1]];
    const path = join(dir, "gbdt.json");
    writeFileSync(path, JSON.stringify(model));
    const { exitCode, stderr } = await start({ MODEL_PATH: path }, dir);
    expect(exitCode).toBe(1);
    expect(stderr).toContain("MODEL_PATH");
    expect(stderr).toContain("the score rises with pastDue90Plus");
  });
});

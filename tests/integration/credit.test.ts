import { beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { inferProcedureInput } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { auditLog, creditScores } from "../../db/schema";
import type { AppRouter } from "../../routers";
import { ConfigError } from "../../server/config";
import type { AppDeps } from "../../server/context";
import { RULES_ENGINE } from "../../server/credit/engine";
import { DEFAULT_MODEL_PATH } from "../../server/credit/gbdt/load";
import { DEFAULT_SCORECARD_PATH } from "../../server/credit/scorecard/load";
import { calculateScore } from "../../server/credit/scoring";
import { engineVersion, loadScoringModel } from "../../server/credit/scoring-model";
import { profileLimits } from "../../server/profile/limits";
import { callerFor, testDeps, testRequest } from "../helpers/app";
import { FULL_PROFILE, setRole } from "../helpers/credit";
import { TEST_METRICS_TOKEN } from "../helpers/keys";
import { registerTestUser } from "../helpers/users";

type SimulateInput = inferProcedureInput<AppRouter["credit"]["simulate"]>;

let deps: AppDeps;
let version: string;
beforeAll(async () => {
  deps = await testDeps();
  version = engineVersion(deps.scoring);
});

async function scoredUser(target: AppDeps = deps) {
  const registered = await registerTestUser(target);
  await registered.caller.profile.update(FULL_PROFILE);
  return registered;
}

/** The health answer as an operator reads it (with METRICS_TOKEN): anonymous callers get statuses only. */
async function operatorOf(deps: AppDeps) {
  return (await callerFor(deps, { token: TEST_METRICS_TOKEN })).health.check();
}

describe("credit.calculateScore", () => {
  it("scores a full profile with the boosted trees, at most four reasons, and stores it", async () => {
    const { caller, user } = await scoredUser();
    const result = await caller.credit.calculateScore();
    expect(result.score).toBeGreaterThanOrEqual(300);
    expect(result.score).toBeLessThanOrEqual(850);
    expect(result.reasons.length).toBeLessThanOrEqual(4);
    expect(deps.scoring.engine).toBe("model");
    expect(result).toMatchObject({ engine: "model", modelVersion: version });
    expect(result.probabilityOfDefault).toBeGreaterThan(0);
    expect(result.probabilityOfDefault).toBeLessThan(0.2);
    expect(result.missingInputs).toEqual([]);
    for (const reason of result.reasons) expect(reason.impact).toBeGreaterThan(0);

    const [row] = await deps.db.select().from(creditScores).where(eq(creditScores.id, result.id));
    expect(row).toMatchObject({
      userId: user.id,
      score: result.score,
      engine: "model",
      probabilityOfDefault: result.probabilityOfDefault,
    });
    expect(row?.inputs).toMatchObject({
      monthlyIncome: 6000,
      monthlyDebtPayments: 1500,
      revolvingUtilization: 0.2,
    });
    expect(row?.inputs.age).toBeGreaterThanOrEqual(45);
    const latest = await caller.credit.latest({});
    expect(latest).toMatchObject({
      id: result.id,
      score: result.score,
      probabilityOfDefault: result.probabilityOfDefault,
    });
  });

  it("refuses a profile without the essentials, naming the profile fields, and stores nothing", async () => {
    const { caller, user } = await registerTestUser(deps);
    await caller.profile.update({ annualIncome: "50000", pastDue30to59: 0, pastDue60to89: 0 });
    const error = await caller.credit.calculateScore().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
    const message = (error as Error).message;
    expect(message).toContain("pastDue90Plus");
    expect(message).toContain("revolvingUtilizationPercent");
    expect(message).not.toContain("pastDue30to59");
    expect((error as { cause?: { code?: string } }).cause?.code).toBe("INSUFFICIENT_DATA");
    expect(await deps.db.select().from(creditScores).where(eq(creditScores.userId, user.id))).toEqual([]);
    await expect(caller.credit.latest({})).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("audits the calculation with the score's id", async () => {
    const { caller, user } = await scoredUser();
    const result = await caller.credit.calculateScore();
    const entries = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "credit.calculate"), eq(auditLog.subjectId, result.id)));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorId: user.id,
      subjectType: "credit_score",
      details: { userId: user.id, score: result.score, engine: "model" },
    });
  });

  it("answers 429 with Retry-After once the daily cap is spent", async () => {
    const capped = await testDeps({ RATE_LIMIT_SCORE: "2/86400" });
    const { token } = await scoredUser(capped);
    const headers: Record<string, string> = {};
    const caller = await callerFor(capped, {
      token,
      setHeader: (name, value) => {
        headers[name] = value;
      },
    });
    await caller.credit.calculateScore();
    await caller.credit.calculateScore();
    await expect(caller.credit.calculateScore()).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(Number(headers["Retry-After"])).toBeGreaterThan(86_000);
    // The cap is per user: someone else still scores.
    const other = await scoredUser(capped);
    expect((await other.caller.credit.calculateScore()).score).toBeGreaterThanOrEqual(300);
  });

  it("uses the rules engine when SCORING_ENGINE=rules, with no probability of default", async () => {
    const rules = await testDeps({ SCORING_ENGINE: "rules" });
    const { caller, user } = await scoredUser(rules);
    const result = await caller.credit.calculateScore();
    expect(result).toMatchObject({ engine: "rules", modelVersion: "rules-1", probabilityOfDefault: null });
    const [row] = await rules.db.select().from(creditScores).where(eq(creditScores.userId, user.id));
    expect(row?.probabilityOfDefault).toBeNull();
    expect((await operatorOf(rules)).checks.model).toMatchObject({
      status: "ok",
      info: { engine: "rules", version: "rules-1" },
    });
  });

  it("scores with the scorecard when SCORING_ENGINE=scorecard, with its calibrated probability", async () => {
    const scorecard = await testDeps({ SCORING_ENGINE: "scorecard" });
    const { caller, user } = await scoredUser(scorecard);
    const result = await caller.credit.calculateScore();
    expect(result).toMatchObject({ engine: "scorecard", modelVersion: expect.stringMatching(/^scorecard-/) });
    expect(result.probabilityOfDefault).toBeGreaterThan(0);
    const [row] = await scorecard.db.select().from(creditScores).where(eq(creditScores.userId, user.id));
    expect(row).toMatchObject({ engine: "scorecard", probabilityOfDefault: result.probabilityOfDefault });
    const card = await caller.credit.model();
    expect(card).toMatchObject({ engine: "scorecard", model: null, version: result.modelVersion });
    expect(card.scorecard?.metrics.holdout.brier).toBeGreaterThan(0);
    expect(card.scorecard?.calibration?.holdout).toHaveLength(10);
  });

  it("keeps a server that pinned SCORECARD_PATH under SCORING_ENGINE=model on its scorecard, and says so", async () => {
    const pinned = await testDeps({ SCORING_ENGINE: "model", SCORECARD_PATH: DEFAULT_SCORECARD_PATH });
    expect(pinned.scoring.engine).toBe("scorecard");
    const { caller } = await scoredUser(pinned);
    expect((await caller.credit.calculateScore()).engine).toBe("scorecard");
    expect((await operatorOf(pinned)).checks.model.detail).toContain("SCORECARD_PATH");
    // Naming the trees' artifact as well chooses the trees.
    const both = await testDeps({ SCORECARD_PATH: DEFAULT_SCORECARD_PATH, MODEL_PATH: DEFAULT_MODEL_PATH });
    expect(both.scoring.engine).toBe("model");
  });

  it("falls back to the rules engine when the chosen engine's artifact is not installed", async () => {
    const absent = () => join(tmpdir(), `absent-${crypto.randomUUID()}.json`);
    const cases: Record<string, string>[] = [
      { MODEL_PATH: absent() },
      { SCORING_ENGINE: "scorecard", SCORECARD_PATH: absent() },
    ];
    for (const overrides of cases) {
      const bare = await testDeps(overrides);
      expect(bare.scoring.engine).toBe("rules");
      const { caller } = await scoredUser(bare);
      expect((await caller.credit.calculateScore()).engine).toBe("rules");
      const card = await caller.credit.model();
      expect(card).toMatchObject({ engine: "rules", model: null, scorecard: null });
      expect(card.engineReason).toContain("fallback");
      expect((await operatorOf(bare)).checks.model.info?.engine).toBe("rules");
    }
  });

  it("refuses to start on an artifact that is present but invalid, naming the variable", async () => {
    const dir = mkdtempSync(join(tmpdir(), "artifacts-"));
    const cases = [
      { variable: "SCORECARD_PATH", engine: "scorecard", content: { format: "blockscore.scorecard/1" } },
      { variable: "MODEL_PATH", engine: "model", content: { format: "blockscore.gbdt/1", version: "oops" } },
    ] as const;
    for (const { variable, engine, content } of cases) {
      const path = join(dir, `${engine}.json`);
      writeFileSync(path, JSON.stringify(content));
      const error = await loadScoringModel({ SCORING_ENGINE: engine, [variable]: path }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(variable);
      expect((error as Error).message).toContain(path);
    }
  });

  it("reports the engine and version in the health check", async () => {
    const health = await operatorOf(deps);
    expect(health.checks.model).toMatchObject({
      status: "ok",
      info: {
        engine: "model",
        version,
        holdoutAuc: deps.scoring.engine === "model" ? deps.scoring.model.metrics.holdout.auc : null,
      },
    });
  });

  it("runs the onStored hook in the score's transaction: a failure there stores nothing", async () => {
    const { user } = await scoredUser();
    const params = { scoring: deps.scoring, limits: profileLimits(deps.config) };
    const seen: string[] = [];
    const stored = await calculateScore(
      deps.db,
      { ...params, onStored: async (_tx, row) => void seen.push(row.id) },
      testRequest({ actorId: user.id }),
      user.id,
    );
    expect(seen).toEqual([stored.id]);
    const failing = calculateScore(
      deps.db,
      {
        ...params,
        onStored: async () => {
          throw new Error("outbox down");
        },
      },
      testRequest({ actorId: user.id }),
      user.id,
    );
    await expect(failing).rejects.toThrow("outbox down");
    expect(await deps.db.select().from(creditScores).where(eq(creditScores.userId, user.id))).toHaveLength(1);
  });

  it("adds the linked wallet's on-chain activity, and scores without it when the chain fails", async () => {
    const { user } = await scoredUser();
    const base = { scoring: RULES_ENGINE, limits: profileLimits(deps.config) };
    const meta = testRequest({ actorId: user.id });
    const withWallet = await calculateScore(
      deps.db,
      { ...base, walletActivity: async () => ({ walletAgeDays: 800, walletTxCount: 50 }) },
      meta,
      user.id,
    );
    const failing = await calculateScore(
      deps.db,
      {
        ...base,
        walletActivity: async () => {
          throw new Error("rpc down");
        },
      },
      meta,
      user.id,
    );
    expect(withWallet.missingInputs).not.toContain("walletAgeDays");
    expect(failing.missingInputs).toContain("walletAgeDays");
    expect(withWallet.score).toBeGreaterThanOrEqual(failing.score);
    const [row] = await deps.db.select().from(creditScores).where(eq(creditScores.id, withWallet.id));
    expect(row?.inputs).toMatchObject({ walletAgeDays: 800, walletTxCount: 50 });
  });

  it("is refused to anonymous callers", async () => {
    const anonymous = await callerFor(deps);
    await expect(anonymous.credit.calculateScore()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anonymous.credit.history({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anonymous.credit.latest({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anonymous.credit.simulate({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("credit.history and credit.latest", () => {
  it("pages newest first with an opaque cursor", async () => {
    const { caller } = await scoredUser();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await caller.credit.calculateScore()).id);
      await Bun.sleep(2);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await caller.credit.history({ limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const all = await caller.credit.history({});
    expect(all.items.map((item) => item.id)).toEqual([...ids].reverse());
    expect(all.nextCursor).toBeNull();
    expect(all.items[0]?.inputs.pastDue90Plus).toBe(0);
    expect((await caller.credit.latest({})).id).toBe(ids[4] as string);
  });

  it("rejects a cursor it did not issue and a limit out of range", async () => {
    const { caller } = await registerTestUser(deps);
    await expect(caller.credit.history({ cursor: "not-a-cursor" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(caller.credit.history({ limit: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.credit.history({ limit: 101 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("answers 404 NO_SCORE before the first calculation", async () => {
    const { caller } = await registerTestUser(deps);
    const error = await caller.credit.latest({}).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "NOT_FOUND" });
    expect((error as Error).message).toContain("calculate");
    expect(await caller.credit.history({})).toEqual({ items: [], nextCursor: null });
  });

  it("keeps scores private from other users, and readable by underwriters and admins", async () => {
    const owner = await scoredUser();
    const scored = await owner.caller.credit.calculateScore();
    const other = await registerTestUser(deps);
    await expect(other.caller.credit.history({ userId: owner.user.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(other.caller.credit.latest({ userId: owner.user.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    // Their own scores (none) stay readable by naming themselves.
    expect((await other.caller.credit.history({ userId: other.user.id })).items).toEqual([]);

    for (const role of ["underwriter", "admin"] as const) {
      const reader = await registerTestUser(deps);
      await setRole(deps, reader.user.id, role);
      const caller = await callerFor(deps, { token: reader.token });
      expect((await caller.credit.latest({ userId: owner.user.id })).id).toBe(scored.id);
      expect((await caller.credit.history({ userId: owner.user.id })).items.map((item) => item.id)).toEqual([
        scored.id,
      ]);
      await expect(caller.credit.latest({ userId: other.user.id })).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
    }
  });
});

describe("credit.simulate", () => {
  const hypothetical: SimulateInput = { ...FULL_PROFILE };

  it("scores a hypothetical profile and stores nothing", async () => {
    const { caller, user } = await registerTestUser(deps);
    const result = await caller.credit.simulate(hypothetical);
    expect(result).toMatchObject({ engine: "model", modelVersion: version });
    expect(result.probabilityOfDefault).toBeGreaterThan(0);
    expect(result).not.toHaveProperty("id");
    expect(await deps.db.select().from(creditScores).where(eq(creditScores.userId, user.id))).toEqual([]);
  });

  it("gives the stored calculation's score for the same profile", async () => {
    const { caller } = await scoredUser();
    const calculated = await caller.credit.calculateScore();
    const simulated = await caller.credit.simulate(hypothetical);
    expect(simulated.score).toBe(calculated.score);
    expect(simulated.reasons).toEqual(calculated.reasons);
    expect(simulated.probabilityOfDefault).toBe(calculated.probabilityOfDefault);
  });

  it("never lowers the score when the card is paid down", async () => {
    const { caller } = await registerTestUser(deps);
    const engines = [
      deps,
      await testDeps({ SCORING_ENGINE: "scorecard" }),
      await testDeps({ SCORING_ENGINE: "rules" }),
    ];
    for (const engine of engines) {
      const scoped =
        engine === deps ? caller : await callerFor(engine, { token: (await registerTestUser(engine)).token });
      let previous = 0;
      for (const percent of [250, 120, 100, 90, 75, 60, 50, 40, 30, 20, 10, 5, 1, 0]) {
        const { score } = await scoped.credit.simulate({
          ...hypothetical,
          revolvingUtilizationPercent: percent,
        });
        expect(score).toBeGreaterThanOrEqual(previous);
        previous = score;
      }
    }
  });

  it("accepts money as numbers or decimal strings, treats omitted fields as unknown, and refuses thin data", async () => {
    const { caller } = await registerTestUser(deps);
    const asNumbers = await caller.credit.simulate({
      ...hypothetical,
      annualIncome: 72000,
      monthlyDebtPayments: 1500,
    });
    expect(asNumbers.score).toBe((await caller.credit.simulate(hypothetical)).score);
    const { dependants: _omitted, ...withoutDependants } = hypothetical;
    expect((await caller.credit.simulate(withoutDependants)).missingInputs).toEqual(["dependants"]);
    await expect(caller.credit.simulate({ pastDue30to59: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.credit.simulate({ ...hypothetical, annualIncome: "12.345" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      caller.credit.simulate({ ...hypothetical, dateOfBirth: "2020-01-01" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("credit.model", () => {
  it("is public and describes the boosted trees without training rows", async () => {
    const card = await (await callerFor(deps)).credit.model();
    expect(card).toMatchObject({ engine: "model", version, scorecard: null });
    const model = card.model;
    expect(model?.metrics.holdout.auc).toBeGreaterThanOrEqual(0.862);
    expect(model?.metrics.holdout.brier).toBeGreaterThan(0);
    expect(model?.calibration.holdout).toHaveLength(10);
    expect(model?.calibration.fittedOn).toContain("validation");
    expect(model?.roc[0]).toEqual([0, 0]);
    expect(model?.roc[model.roc.length - 1]).toEqual([1, 1]);
    expect(model?.provenance).toMatchObject({ year: 2011, url: expect.stringContaining("kaggle") });
    expect(model?.trees.count).toBeGreaterThan(10);
    expect(model?.referenceScore).toBeGreaterThan(600);
    expect(model?.fairLending).toMatchObject({ monotoneInAge: true, missingAgeScoredAsYoungest: true });
    const utilisation = model?.features.find((feature) => feature.id === "revolvingUtilization");
    expect(utilisation).toMatchObject({
      profileFields: ["revolvingUtilizationPercent"],
      direction: "nonIncreasing",
    });
    expect(utilisation?.bins[0]).toEqual({
      label: expect.any(String),
      lower: null,
      upper: expect.any(Number),
      share: expect.any(Number),
      badRate: expect.any(Number),
      points: expect.any(Number),
    });
    expect(model?.features.find((feature) => feature.id === "age")?.direction).toBe("nonDecreasing");
    expect(model?.reasonCodes.map((reason) => reason.code)).not.toContain("M00");
    expect(card.rules.weights).toMatchObject({ paymentHistory: 0.35 });
  });
});

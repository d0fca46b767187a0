/**
 * The full authenticated HTTP call of scoring, next to its peer, inference alone.
 * Run: bun bench/scoring-http.ts [sequential-requests] [concurrent-clients] [seconds]
 *
 * By default it starts the real app in this process on an in-memory PGlite (loopback, port chosen by the OS),
 * registers a user with a full profile, then times, one request after another:
 *   - POST /api/credit/simulate       (session check + validation + inference; stores nothing)
 *   - POST /api/credit/calculate-score (the same, plus profile read, insert and hash-chained audit append)
 * and measures simulate's throughput with N clients for a bounded time and request count.
 * BENCH_URL=http://127.0.0.1:3000 runs the same against a running server instead (loopback only; its
 * RATE_LIMIT_GENERAL must allow the load, and calculate-score is skipped there, as its daily cap applies).
 *
 * The process's NODE_ENV matters: trpc-to-openapi's REST handler, created per request, regenerates the whole
 * OpenAPI document to validate the router on every request unless process.env.NODE_ENV is "production".
 * Run it both ways: `bun bench/scoring-http.ts` and `NODE_ENV=production bun bench/scoring-http.ts`.
 */
import { computeScore } from "../server/credit/engine";
import { EMPTY_PAYMENT_RECORD } from "../server/credit/payment-record";
import { profileToInputs } from "../server/credit/profile-inputs";
import { engineVersion, loadScoringModel } from "../server/credit/scoring-model";
import { callApi, describeTarget, FINANCIAL_PROFILE, registerUserWithProfile, startTarget } from "./lib/app";
import { concurrentLoad, describeLoad } from "./lib/load";
import { ms, type Timing, timed, timedSync, us } from "./lib/stats";

const SEQUENTIAL = Number(process.argv[2] ?? 2_000);
const CLIENTS = Number(process.argv[3] ?? 16);
const SECONDS = Number(process.argv[4] ?? 5);
const MAX_CONCURRENT_REQUESTS = 200_000;
const WARMUP = Math.min(200, SEQUENTIAL);
const CALCULATE_RUNS = Math.min(SEQUENTIAL, 500);
const INFERENCE_RUNS = 100_000;
const INFERENCE_WARMUP = 20_000;

const target = await startTarget();
try {
  const token = await registerUserWithProfile(target);
  console.log(`scoring over HTTP: ${describeTarget(target)}`);

  const simulate = () => callApi(target, "POST", "/credit/simulate", token, FINANCIAL_PROFILE);
  const simulated = await timed(SEQUENTIAL, simulate, { warmup: WARMUP });
  console.log(
    `POST /api/credit/simulate         ${SEQUENTIAL} sequential   median ${ms(simulated.median)}   p99 ${ms(simulated.p99)}`,
  );
  const viaTrpc = await timed(
    SEQUENTIAL,
    () => callApi(target, "POST", "/trpc/credit.simulate", token, { json: FINANCIAL_PROFILE }),
    { warmup: WARMUP },
  );
  console.log(
    `POST /trpc/credit.simulate        ${SEQUENTIAL} sequential   median ${ms(viaTrpc.median)}   p99 ${ms(viaTrpc.p99)}`,
  );
  let calculated: Timing | null = null;
  if (target.inProcess) {
    calculated = await timed(
      CALCULATE_RUNS,
      () => callApi(target, "POST", "/credit/calculate-score", token),
      {
        warmup: WARMUP,
      },
    );
    console.log(
      `POST /api/credit/calculate-score  ${CALCULATE_RUNS} sequential    median ${ms(calculated.median)}   p99 ${ms(calculated.p99)}`,
    );
  } else {
    console.log(
      "POST /api/credit/calculate-score  skipped against an external server (its daily cap applies)",
    );
  }
  const load = await concurrentLoad(
    { clients: CLIENTS, seconds: SECONDS, maxRequests: MAX_CONCURRENT_REQUESTS },
    simulate,
  );
  console.log(`POST /api/credit/simulate         ${CLIENTS} concurrent clients   ${describeLoad(load)}`);

  // The default engine, which the in-process server scores with.
  const scoring = await loadScoringModel({ SCORING_ENGINE: "model" });
  {
    const inputs = profileToInputs(
      { ...FINANCIAL_PROFILE, annualIncomeCents: 7_200_000, monthlyDebtPaymentsCents: 150_000 },
      EMPTY_PAYMENT_RECORD,
      null,
      new Date(),
    );
    const alone = timedSync(INFERENCE_RUNS, () => computeScore(inputs, scoring).score, {
      warmup: INFERENCE_WARMUP,
    });
    console.log("\npeer comparison (median / p99):");
    console.log(
      `  inference alone (${scoring.engine}, as bench/scoring-inference.ts)        ${us(alone.median)} / ${us(alone.p99)}`,
    );
    console.log(
      `  full authenticated HTTP simulate, REST                                ${ms(simulated.median)} / ${ms(simulated.p99)}`,
    );
    console.log(
      `  full authenticated HTTP simulate, tRPC                                ${ms(viaTrpc.median)} / ${ms(viaTrpc.p99)}`,
    );
    if (calculated) {
      console.log(
        `  full authenticated HTTP calculate-score (DB write + audit)            ${ms(calculated.median)} / ${ms(calculated.p99)}`,
      );
    }
    console.log(
      `  inference is ${((alone.median / simulated.median) * 100).toFixed(3)} % of the simulate call's median ` +
        `(${engineVersion(scoring)}, checksum ${alone.checksum % 997})`,
    );
  }
} finally {
  await target.stop();
}

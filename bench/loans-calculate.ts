/**
 * `loans.calculate` for a 360-month schedule over HTTP, next to its peer: the pure `amortizationSchedule`.
 * Run: bun bench/loans-calculate.ts [sequential-requests] [concurrent-clients] [seconds]
 *
 * It starts the real app in this process on an in-memory PGlite (loopback, port chosen by the OS), registers a
 * user with a full profile and a score, then times, one request after another:
 *   - POST /api/loans/calculate with an apr   (session check, validation, schedule, disclosure, 360 rows of JSON)
 *   - POST /api/loans/calculate without one   (the same, plus reading the latest score to price it)
 *   - POST /trpc/loans.calculate with an apr  (the tRPC transport, superjson)
 * and the REST call's throughput with N clients for a bounded time and request count. Then the pure schedule
 * alone, in process, without an await per call, as bench/loan-schedule.ts times it.
 * As bench/scoring-http.ts explains, run it with NODE_ENV=production too: trpc-to-openapi's REST handler
 * does more work per request otherwise.
 */
import { aprDisclosure } from "../server/loans/disclosure";
import { amortizationSchedule } from "../server/loans/schedule";
import { toTermsView } from "../server/loans/views";
import { callApi, describeTarget, registerUserWithProfile, startInProcessApp } from "./lib/app";
import { concurrentLoad, describeLoad } from "./lib/load";
import { formatInteger, ms, timed, timedSync, us } from "./lib/stats";

const SEQUENTIAL = Number(process.argv[2] ?? 1_000);
const CLIENTS = Number(process.argv[3] ?? 16);
const SECONDS = Number(process.argv[4] ?? 5);
const MAX_CONCURRENT_REQUESTS = 200_000;
const WARMUP = Math.min(100, SEQUENTIAL);
const PURE_RUNS = 20_000;
// As many as bench/loan-schedule.ts, which the pure figures are compared with.
const PURE_WARMUP = 2_000;

const WITH_APR = { amount: "50000.00", termMonths: 360, apr: "6.00" };
const PRICED = { amount: "50000.00", termMonths: 360 };

const target = await startInProcessApp();
try {
  const token = await registerUserWithProfile(target);
  await callApi(target, "POST", "/credit/calculate-score", token);
  const calculate = (body: unknown) => callApi(target, "POST", "/loans/calculate", token, body);
  const bytes = (await calculate(WITH_APR)).length;

  console.log(
    `loans.calculate, 360 months: ${describeTarget(target)}; response ${(bytes / 1024).toFixed(1)} KiB`,
  );
  const rest = await timed(SEQUENTIAL, () => calculate(WITH_APR), { warmup: WARMUP });
  console.log(
    `POST /api/loans/calculate (apr given)      ${SEQUENTIAL} sequential   median ${ms(rest.median)}   p99 ${ms(rest.p99)}`,
  );
  const priced = await timed(SEQUENTIAL, () => calculate(PRICED), { warmup: WARMUP });
  console.log(
    `POST /api/loans/calculate (priced by score) ${SEQUENTIAL} sequential  median ${ms(priced.median)}   p99 ${ms(priced.p99)}`,
  );
  const trpc = await timed(
    SEQUENTIAL,
    () => callApi(target, "POST", "/trpc/loans.calculate", token, { json: WITH_APR }),
    { warmup: WARMUP },
  );
  console.log(
    `POST /trpc/loans.calculate (apr given)     ${SEQUENTIAL} sequential   median ${ms(trpc.median)}   p99 ${ms(trpc.p99)}`,
  );

  const load = await concurrentLoad(
    { clients: CLIENTS, seconds: SECONDS, maxRequests: MAX_CONCURRENT_REQUESTS },
    () => calculate(WITH_APR),
  );
  console.log(
    `POST /api/loans/calculate (apr given)      ${CLIENTS} concurrent clients   ${describeLoad(load)}`,
  );

  const params = {
    principalCents: 5_000_000,
    aprBasisPoints: 600,
    termMonths: 360,
    scheduleType: "equal_installments" as const,
    startDate: new Date("2025-01-31T00:00:00Z"),
  };
  const pure = timedSync(PURE_RUNS, () => amortizationSchedule(params).totalInterestCents, {
    warmup: PURE_WARMUP,
  });
  const formatted = timedSync(
    PURE_RUNS,
    () => {
      const schedule = amortizationSchedule(params);
      const disclosure = aprDisclosure({
        principalCents: params.principalCents,
        schedule,
        advanceDate: params.startDate,
      });
      const view = toTermsView({
        ...params,
        amountCents: params.principalCents,
        priced: {
          scheduleType: params.scheduleType,
          originationFeeCents: 0,
          originationFeeFinanced: false,
          principalCents: params.principalCents,
          schedule,
          disclosure,
        },
        pricing: { source: "requested", band: null, score: null },
        product: { id: "00000000-0000-4000-8000-000000000000", version: 1, name: "bench" },
      });
      return view.schedule.length;
    },
    { warmup: PURE_WARMUP },
  );
  console.log("\npeer comparison (median / p99 / per second, one at a time):");
  console.log(
    `  amortizationSchedule alone (as bench/loan-schedule.ts)    ${us(pure.median, 1)} / ${us(pure.p99, 1)} / ${formatInteger(pure.perSecond)}`,
  );
  console.log(
    `  + disclosure + decimal-string view (the handler's work)  ${us(formatted.median, 1)} / ${us(formatted.p99, 1)} / ${formatInteger(formatted.perSecond)}`,
  );
  console.log(
    `  full authenticated HTTP call, REST                       ${ms(rest.median)} / ${ms(rest.p99)} / ${formatInteger(rest.perSecond)}`,
  );
  console.log(
    `  the schedule is ${((pure.median / rest.median) * 100).toFixed(1)} % of the REST call's median`,
  );
} finally {
  await target.stop();
}

/**
 * The load driver of the fault tests: plain `fetch` in a loop over loopback, bounded in requests and time. Each
 * client is one borrower (registered, scored, KYC verified, one loan paid out by staff before the load starts)
 * who in turn registers a new user, updates the profile, applies for a loan, starts a repayment and has the
 * provider settle it. Every acknowledged (2xx) request is recorded with what it wrote, so the checks afterwards
 * can count each write in the database; every other answer is counted by status.
 */
import postgres from "postgres";
import { FULL_PROFILE } from "../helpers/credit";
import { CLEAN_KYC } from "../helpers/loans";
import { newEventId, signedEvent } from "../helpers/payments";
import { INSTANCE_ENV } from "../helpers/processes";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

export type Answer = { status: number; body: Record<string, unknown> | null; headers: Headers; ms: number };

/** One request; a network failure or a hang past `timeoutMs` is status 0. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.raw;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const started = performance.now();
  try {
    const response = await fetch(`${baseUrl}/api${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> | null = null;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    } catch {}
    return {
      status: response.status,
      body: parsed,
      headers: response.headers,
      ms: performance.now() - started,
    };
  } catch {
    return { status: 0, body: null, headers: new Headers(), ms: performance.now() - started };
  }
}

/** A borrower of the load; without a loan (`loanId` null) it only registers users and updates its profile. */
export type Borrower = { userId: string; token: string; loanId: string | null };
export type Staff = { underwriter: string; admin: string };

function must(answer: Answer, what: string): Record<string, unknown> {
  if (answer.status !== 200) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body ?? {};
}

/** A user registered over REST and granted `role` in the database, as `bun run user:role` does. */
export async function makeStaffMember(baseUrl: string, databaseUrl: string, role: "underwriter" | "admin") {
  const body = must(
    await call(baseUrl, "POST", "/auth/register", {
      body: { email: uniqueEmail(role), password: TEST_PASSWORD, name: `Staff ${role}` },
    }),
    "staff registration",
  );
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`update users set role = ${role} where id = ${(body.user as { id: string }).id}`;
  } finally {
    await sql.end();
  }
  return body.token as string;
}

export async function makeStaff(baseUrl: string, databaseUrl: string): Promise<Staff> {
  return {
    underwriter: await makeStaffMember(baseUrl, databaseUrl, "underwriter"),
    admin: await makeStaffMember(baseUrl, databaseUrl, "admin"),
  };
}

/** An email marked verified in the database, as following the emailed link would: loans need one. */
async function markEmailVerified(databaseUrl: string, userId: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`update users set email_verified_at = now() where id = ${userId}`;
  } finally {
    await sql.end();
  }
}

/** A borrower with a verified email and a disbursed loan to repay against. */
export async function makeBorrower(baseUrl: string, databaseUrl: string, staff: Staff): Promise<Borrower> {
  const registered = must(
    await call(baseUrl, "POST", "/auth/register", {
      body: { email: uniqueEmail("borrower"), password: TEST_PASSWORD, name: "Load Borrower" },
    }),
    "register",
  );
  const token = registered.token as string;
  await markEmailVerified(databaseUrl, (registered.user as { id: string }).id);
  must(await call(baseUrl, "PATCH", "/profile", { token, body: FULL_PROFILE }), "profile");
  must(await call(baseUrl, "POST", "/credit/calculate-score", { token }), "score");
  must(await call(baseUrl, "POST", "/compliance/kyc", { token, body: CLEAN_KYC }), "kyc");
  const loan = must(
    await call(baseUrl, "POST", "/loans/apply", {
      token,
      body: { amount: "5000.00", termMonths: 12, purpose: "Load test" },
      headers: { "Idempotency-Key": crypto.randomUUID() },
    }),
    "apply",
  );
  const loanId = loan.id as string;
  must(await call(baseUrl, "POST", `/loans/${loanId}/approve`, { token: staff.underwriter }), "approve");
  must(await call(baseUrl, "POST", `/loans/${loanId}/disburse`, { token: staff.admin }), "disburse");
  return { userId: (registered.user as { id: string }).id, token, loanId };
}

/** A borrower with a profile and no loan: for a database no second process may open while the server runs. */
export async function makeProfileOnlyBorrower(baseUrl: string): Promise<Borrower> {
  const registered = must(
    await call(baseUrl, "POST", "/auth/register", {
      body: { email: uniqueEmail("profile"), password: TEST_PASSWORD, name: "Load Borrower" },
    }),
    "register",
  );
  const token = registered.token as string;
  must(await call(baseUrl, "PATCH", "/profile", { token, body: FULL_PROFILE }), "profile");
  return { userId: (registered.user as { id: string }).id, token, loanId: null };
}

/** What the load wrote and what it was told. */
export type LoadRecord = {
  sent: number;
  acknowledged: number;
  /** Status → count, 0 for a network failure or a hang. */
  statuses: Record<number, number>;
  /** 5xx answers other than 503 DATABASE_UNAVAILABLE with Retry-After, with what they said. */
  serverErrors: string[];
  /** 503 answers, and how many of them lacked the code or the Retry-After header. */
  unavailable: number;
  unavailableMalformed: number;
  slowestMs: number;
  registrations: string[];
  /** Per borrower: the last acknowledged `dependants` value and the values sent after it (unacknowledged). */
  profiles: Map<string, { acknowledged: number | null; later: number[] }>;
  loanApplications: { userId: string; key: string; loanId: string }[];
  paymentIntents: { loanId: string; key: string; reference: string }[];
  settlements: { eventId: string; reference: string }[];
};

export function emptyRecord(): LoadRecord {
  return {
    sent: 0,
    acknowledged: 0,
    statuses: {},
    serverErrors: [],
    unavailable: 0,
    unavailableMalformed: 0,
    slowestMs: 0,
    registrations: [],
    profiles: new Map(),
    loanApplications: [],
    paymentIntents: [],
    settlements: [],
  };
}

export type LoadOptions = {
  baseUrl: string;
  borrowers: Borrower[];
  /** Stops after this many requests in all... */
  maxRequests: number;
  /** ...or this long, or when `stop()` is called, whichever comes first. */
  maxDurationMs: number;
  /** Each request is given this long before it counts as hung (status 0). */
  requestTimeoutMs?: number;
};

export type Load = { record: LoadRecord; done: Promise<LoadRecord>; stop(): void };

/** Starts one client per borrower; `done` resolves when every client has stopped. */
export function startLoad(options: LoadOptions): Load {
  const record = emptyRecord();
  let running = true;
  const deadline = Date.now() + options.maxDurationMs;
  const secret = INSTANCE_ENV.PAYMENTS_WEBHOOK_SECRET as string;
  const active = () => running && Date.now() < deadline && record.sent < options.maxRequests;

  const send = async (...args: Parameters<typeof call>) => {
    record.sent += 1;
    const answer = await call(args[0], args[1], args[2], { timeoutMs: options.requestTimeoutMs, ...args[3] });
    record.statuses[answer.status] = (record.statuses[answer.status] ?? 0) + 1;
    record.slowestMs = Math.max(record.slowestMs, answer.ms);
    if (answer.status >= 200 && answer.status < 300) record.acknowledged += 1;
    if (answer.status === 503) {
      record.unavailable += 1;
      if (answer.body?.code !== "DATABASE_UNAVAILABLE" || !answer.headers.get("retry-after"))
        record.unavailableMalformed += 1;
    } else if (answer.status >= 500) {
      record.serverErrors.push(`${args[1]} ${args[2]} → ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer;
  };

  const client = async (borrower: Borrower, index: number) => {
    const { baseUrl } = options;
    const { token, loanId, userId } = borrower;
    const profile = { acknowledged: null as number | null, later: [] as number[] };
    record.profiles.set(userId, profile);
    const unsettled: string[] = [];
    for (let turn = 0; active(); turn += 1) {
      const step = loanId === null ? turn % 2 : turn % 5;
      if (step === 0) {
        const email = uniqueEmail(`load${index}`);
        const answer = await send(baseUrl, "POST", "/auth/register", {
          body: { email, password: TEST_PASSWORD, name: "Load User" },
        });
        if (answer.status === 200) record.registrations.push(email);
      } else if (step === 1) {
        const value = turn % 9;
        const answer = await send(baseUrl, "PATCH", "/profile", { token, body: { dependants: value } });
        if (answer.status === 200) {
          profile.acknowledged = value;
          profile.later = [];
        } else profile.later.push(value);
      } else if (step === 2) {
        const key = crypto.randomUUID();
        const answer = await send(baseUrl, "POST", "/loans/apply", {
          token,
          body: { amount: "500.00", termMonths: 6, purpose: "Load test" },
          headers: { "Idempotency-Key": key },
        });
        if (answer.status === 200)
          record.loanApplications.push({ userId, key, loanId: answer.body?.id as string });
      } else if (step === 3) {
        const key = crypto.randomUUID();
        const answer = await send(baseUrl, "POST", `/loans/${loanId}/repayments`, {
          token,
          body: { amount: "1.00" },
          headers: { "Idempotency-Key": key },
        });
        if (answer.status === 200) {
          const reference = answer.body?.reference as string;
          record.paymentIntents.push({ loanId: loanId as string, key, reference });
          unsettled.push(reference);
        }
      } else {
        const reference = unsettled[0];
        if (!reference) continue;
        const eventId = newEventId();
        const { rawBody, signature } = signedEvent(secret, {
          eventId,
          type: "payment.settled",
          reference,
          amount: "1.00",
        });
        const answer = await send(baseUrl, "POST", "/payments/webhook", {
          raw: rawBody,
          headers: { "content-type": "application/json", "BlockScore-Signature": signature },
        });
        if (answer.status === 200) {
          record.settlements.push({ eventId, reference });
          unsettled.shift();
        }
      }
    }
  };

  const done = Promise.all(options.borrowers.map(client)).then(() => record);
  return {
    record,
    done,
    stop: () => {
      running = false;
    },
  };
}

/** A parameterised query on whichever database the server used ($1, $2 ... placeholders). */
export type RunQuery = (query: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** Every acknowledged write, counted in the database: each must be there exactly once. */
export async function countAcknowledgedWrites(databaseUrl: string, record: LoadRecord) {
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    return await countWrites(
      (query, params = []) => client.unsafe(query, params as never[]) as Promise<Record<string, unknown>[]>,
      record,
    );
  } finally {
    await client.end();
  }
}

export async function countWrites(run: RunQuery, record: LoadRecord) {
  const problems: string[] = [];
  const one = async <T>(query: string, params: unknown[] = []) =>
    (await run(query, params))[0] as T | undefined;
  {
    const emails = record.registrations;
    const users = emails.length
      ? ((await run(
          "select email, count(*)::int as n from users where email = any($1::text[]) group by email",
          [emails],
        )) as { email: string; n: number }[])
      : [];
    const usersFound = users.filter((row) => row.n === 1).length;
    if (usersFound !== emails.length)
      problems.push(`registrations: ${usersFound} of ${emails.length} found once`);

    let profilesFound = 0;
    for (const [userId, expected] of record.profiles) {
      if (expected.acknowledged === null) continue;
      const row = await one<{ dependants: number }>(
        "select dependants from financial_profiles where user_id = $1",
        [userId],
      );
      const allowed = [expected.acknowledged, ...expected.later];
      if (row && allowed.includes(row.dependants)) profilesFound += 1;
      else problems.push(`profile of ${userId}: ${row?.dependants} is none of ${allowed.join(", ")}`);
    }

    let loansFound = 0;
    for (const application of record.loanApplications) {
      const row = await one<{ n: number }>(
        "select count(*)::int as n from loans where id = $1 and user_id = $2",
        [application.loanId, application.userId],
      );
      const key = await one<{ n: number }>(
        "select count(*)::int as n from idempotency_keys where user_id = $1 and scope = 'loans.apply' and key = $2",
        [application.userId, application.key],
      );
      if (row?.n === 1 && key?.n === 1) loansFound += 1;
      else problems.push(`loan ${application.loanId}: ${row?.n} rows, ${key?.n} keys`);
    }

    let paymentsFound = 0;
    for (const intent of record.paymentIntents) {
      const row = await one<{ n: number }>(
        "select count(*)::int as n from payments where loan_id = $1 and idempotency_key = $2 and reference = $3",
        [intent.loanId, intent.key, intent.reference],
      );
      if (row?.n === 1) paymentsFound += 1;
      else problems.push(`payment ${intent.reference}: ${row?.n} rows`);
    }

    let settlementsFound = 0;
    for (const settlement of record.settlements) {
      const row = await one<{ settled: number; repayments: number }>(
        `select count(*) filter (where p.status = 'settled')::int as settled,
                (select count(*)::int from repayments r where r.payment_id = p.id) as repayments
         from payments p where p.reference = $1 group by p.id`,
        [settlement.reference],
      );
      if (row?.settled === 1 && row.repayments === 1) settlementsFound += 1;
      else problems.push(`settlement ${settlement.reference}: ${JSON.stringify(row)}`);
    }

    // Nothing half-written: every loan paid out has its journal entry, every repayment its journal entry,
    // every score its audit row.
    const orphans = await one<{ loans: number; repayments: number; scores: number }>(
      `select
        (select count(*)::int from loans l where l.disbursed_at is not null
           and not exists (select 1 from journal_entries j where j.loan_id = l.id and j.kind = 'disbursement')) as loans,
        (select count(*)::int from repayments r
           where not exists (select 1 from journal_entries j where j.repayment_id = r.id)) as repayments,
        (select count(*)::int from credit_scores s
           where not exists (select 1 from audit_log a
             where a.subject_type = 'credit_score' and a.subject_id = s.id::text)) as scores`,
    );
    if (orphans && (orphans.loans || orphans.repayments || orphans.scores))
      problems.push(`half-written: ${JSON.stringify(orphans)}`);
    return {
      writes:
        emails.length +
        record.loanApplications.length +
        record.paymentIntents.length +
        record.settlements.length +
        [...record.profiles.values()].filter((profile) => profile.acknowledged !== null).length,
      found: usersFound + profilesFound + loansFound + paymentsFound + settlementsFound,
      problems,
    };
  }
}

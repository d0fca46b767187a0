import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { DAY, isoDay, servicingWorld } from "./helpers";

let world: Awaited<ReturnType<typeof servicingWorld>>;

beforeAll(async () => {
  world = await servicingWorld();
});
afterAll(async () => {
  await world.server.stop();
});
afterEach(async () => {
  await world.expectBooksBalanced();
});

describe("payoff quote", () => {
  it("adds to the principal the interest accrued day by day since the payout, and a whole instalment's on its due day", async () => {
    const { rest } = world;
    const { borrower, id } = await world.disbursedLoan({ daysAgo: 10 });
    const loan = (await rest("GET", `/loans/${id}`, { token: borrower.token })).body;
    const first = loan.schedule[0];
    const today = isoDay(new Date());
    const quote = await rest("GET", `/loans/${id}/payoff`, { token: borrower.token });
    expect(quote.status).toBe(200);
    // 10 days of the first period's days, at that instalment's interest, rounded half-up.
    const payout = new Date(`${isoDay(new Date(loan.disbursedAt))}T00:00:00Z`);
    const period = Math.round((new Date(`${first.dueDate}T00:00:00Z`).getTime() - payout.getTime()) / DAY);
    const scheduled = Math.round(Number(first.interest) * 100);
    const interestCents = Math.floor((2 * scheduled * 10 + period) / (2 * period));
    expect(quote.body).toEqual({
      date: today,
      amount: ((120_000 + interestCents) / 100).toFixed(2),
      principal: "1200.00",
      interest: (interestCents / 100).toFixed(2),
      fees: "0.00",
    });
    const onDueDay = await rest("GET", `/loans/${id}/payoff?date=${first.dueDate}`, {
      token: borrower.token,
    });
    expect(onDueDay.body).toMatchObject({ principal: "1200.00", interest: first.interest });
  });

  it("is for the borrower and staff only, and refuses past and malformed days", async () => {
    const { rest } = world;
    const { borrower, id } = await world.disbursedLoan();
    const stranger = await world.applicant();
    expect((await rest("GET", `/loans/${id}/payoff`)).status).toBe(401);
    expect((await rest("GET", `/loans/${id}/payoff`, { token: stranger.token })).status).toBe(404);
    const staff = await rest("GET", `/loans/${id}/payoff`, { token: world.underwriter.token });
    expect(staff.body).toMatchObject({ amount: "1200.00", principal: "1200.00", interest: "0.00" });
    const past = await rest("GET", `/loans/${id}/payoff?date=2020-01-01`, { token: borrower.token });
    expect(past).toMatchObject({ status: 400, body: { code: "PAYOFF_DATE_IN_PAST" } });
    const garbled = await rest("GET", `/loans/${id}/payoff?date=next-week`, { token: borrower.token });
    expect(garbled.status).toBe(400);
    expect(garbled.body.issues[0].path).toEqual(["date"]);
    const submitted = await world.applicant();
    const applied = await rest("POST", "/loans/apply", {
      token: submitted.token,
      body: { amount: "1000.00", termMonths: 12, purpose: "Bike" },
      headers: { "Idempotency-Key": crypto.randomUUID() },
    });
    const early = await rest("GET", `/loans/${applied.body.id}/payoff`, { token: submitted.token });
    expect(early).toMatchObject({ status: 409, body: { code: "LOAN_NOT_OUTSTANDING" } });
  });
});

describe("prepayment", () => {
  it("paying the payoff amount with a prepayment closes the loan, and interest income is exactly the accrued interest", async () => {
    const { rest } = world;
    const { borrower, id } = await world.disbursedLoan({ daysAgo: 10 });
    const quote = (await rest("GET", `/loans/${id}/payoff`, { token: borrower.token })).body;
    await world.pay(borrower.token, id, quote.amount, "shorten_term");
    const loan = (await rest("GET", `/loans/${id}`, { token: borrower.token })).body;
    expect(loan).toMatchObject({ status: "repaid", outstanding: "0.00", paid: quote.amount });
    expect(loan.totalInterest).toBe(quote.interest);
    const books = await world.ledger(id);
    expect(books.balanced).toBe(true);
    expect(books.balance("loans_receivable")).toBe("0.00");
    expect(books.balance("interest_income")).toBe(quote.interest);
    expect(books.balance("overpayments")).toBe("0.00");
    const versions = (await rest("GET", `/loans/${id}/schedule-versions`, { token: borrower.token })).body;
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ version: 1, cause: "prepayment", termMonths: 12 });
    expect(versions[0].instalments).toHaveLength(12);
  });

  it("reduce_instalment keeps the count and lowers the payment; shorten_term keeps the payment and drops instalments", async () => {
    const { rest } = world;
    const lower = await world.disbursedLoan();
    const shorter = await world.disbursedLoan();
    const before = (await rest("GET", `/loans/${lower.id}`, { token: lower.borrower.token })).body;
    const intent = await world.pay(lower.borrower.token, lower.id, "600.00", "reduce_instalment");
    expect(intent.body.prepayment).toBe("reduce_instalment");
    await world.pay(shorter.borrower.token, shorter.id, "600.00", "shorten_term");

    const lowered = (await rest("GET", `/loans/${lower.id}`, { token: lower.borrower.token })).body;
    expect(lowered.schedule).toHaveLength(12);
    expect(Number(lowered.monthlyPayment)).toBeLessThan(Number(before.monthlyPayment));
    expect(lowered.schedule.at(-1).dueDate).toBe(before.schedule.at(-1).dueDate);
    // 600.00 paid on the payout day is all principal; instalment 1 now asks only the new payment.
    expect(lowered.schedule[0]).toMatchObject({
      paidPrincipal: "600.00",
      paidInterest: "0.00",
      state: "partially_paid",
    });
    expect(lowered.schedule[0].remaining).toBe(lowered.monthlyPayment);
    const principal = lowered.schedule.reduce(
      (sum: number, row: { principal: string }) => sum + Number(row.principal) * 100,
      0,
    );
    expect(Math.round(principal)).toBe(120_000);

    const shortened = (await rest("GET", `/loans/${shorter.id}`, { token: shorter.borrower.token })).body;
    expect(shortened.monthlyPayment).toBe(before.monthlyPayment);
    expect(shortened.schedule.length).toBeLessThan(12);
    expect(shortened.termMonths).toBe(shortened.schedule.length);
    expect(Number(shortened.totalInterest)).toBeLessThan(Number(before.totalInterest));

    for (const loan of [lower, shorter]) {
      const books = await world.ledger(loan.id);
      expect(books.balance("loans_receivable")).toBe("600.00");
      const versions = (
        await rest("GET", `/loans/${loan.id}/schedule-versions`, { token: world.admin.token })
      ).body;
      expect(versions.map((version: { cause: string }) => version.cause)).toEqual(["prepayment"]);
    }
  });

  it("a payment without a choice still pays the next instalments as scheduled", async () => {
    const { rest } = world;
    const { borrower, id } = await world.disbursedLoan();
    const before = (await rest("GET", `/loans/${id}`, { token: borrower.token })).body;
    await world.pay(borrower.token, id, "600.00");
    const after = (await rest("GET", `/loans/${id}`, { token: borrower.token })).body;
    expect(after.monthlyPayment).toBe(before.monthlyPayment);
    expect(after.schedule.map((row: { principal: string }) => row.principal)).toEqual(
      before.schedule.map((row: { principal: string }) => row.principal),
    );
    expect((await rest("GET", `/loans/${id}/schedule-versions`, { token: borrower.token })).body).toEqual([]);
  });

  it("refuses an unknown choice, and another user's schedule versions are a 404", async () => {
    const { rest } = world;
    const { borrower, id } = await world.disbursedLoan();
    const bad = await rest("POST", `/loans/${id}/repayments`, {
      token: borrower.token,
      body: { amount: "10.00", prepayment: "skip_payments" },
      headers: { "Idempotency-Key": crypto.randomUUID() },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toEqual(["prepayment"]);
    const stranger = await world.applicant();
    expect((await rest("GET", `/loans/${id}/schedule-versions`, { token: stranger.token })).status).toBe(404);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import { auditLog } from "../../../db/schema";
import { servicingWorld } from "./helpers";

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

const terms = {
  termMonths: 24,
  apr: "9.00",
  capitaliseArrears: true,
  reason: "Lost job; new employment from next month",
};

describe("restructuring with four eyes", () => {
  it("a defaulted loan: one underwriter proposes, another approves; arrears capitalised, old schedule kept, loan performing again", async () => {
    const { rest, underwriter, second } = world;
    const { borrower, id } = await world.defaultedLoan();
    const before = (await rest("GET", `/loans/${id}`, { token: underwriter.token })).body;

    const proposed = await rest("POST", `/loans/${id}/restructures`, {
      token: underwriter.token,
      body: terms,
    });
    expect(proposed.status).toBe(200);
    expect(proposed.body).toMatchObject({
      status: "pending",
      termMonths: 24,
      apr: "9.00",
      capitaliseArrears: true,
      proposedBy: underwriter.user.id,
      decidedBy: null,
    });
    const preview = proposed.body.preview;
    // Nothing changes until a second person approves.
    expect((await rest("GET", `/loans/${id}`, { token: underwriter.token })).body.status).toBe("defaulted");

    const own = await rest("POST", `/loans/${id}/restructures/${proposed.body.id}/approve`, {
      token: underwriter.token,
    });
    expect(own).toMatchObject({ status: 403, body: { code: "FOUR_EYES_REQUIRED" } });
    await world.listenFor(["loan.restructured"]);
    const approved = await rest("POST", `/loans/${id}/restructures/${proposed.body.id}/approve`, {
      token: second.token,
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "applied", decidedBy: second.user.id });
    expect(await world.eventsOf("loan.restructured", id)).toEqual([
      expect.objectContaining({
        loanId: id,
        restructureId: proposed.body.id,
        scheduleVersion: 2,
        principal: preview.principal,
        monthlyPayment: preview.monthlyPayment,
      }),
    ]);
    // Paid out 200 days ago with nothing paid: the instalments due by today are arrears, capitalised with their
    // interest and the running period's interest accrued to today (less than that instalment's whole interest).
    const today = new Date().toISOString().slice(0, 10);
    const cents = (text: string) => Math.round(Number(text) * 100);
    const arrears = before.schedule.filter((row: { dueDate: string }) => row.dueDate <= today);
    const running = before.schedule[arrears.length];
    const arrearsPrincipal = arrears.reduce(
      (sum: number, row: { principal: string }) => sum + cents(row.principal),
      0,
    );
    const arrearsInterest = arrears.reduce(
      (sum: number, row: { interest: string }) => sum + cents(row.interest),
      0,
    );
    const capitalisedInterest = cents(approved.body.preview.capitalisedInterest);
    expect(cents(approved.body.preview.capitalisedPrincipal)).toBe(arrearsPrincipal);
    expect(capitalisedInterest).toBeGreaterThanOrEqual(arrearsInterest);
    expect(capitalisedInterest).toBeLessThanOrEqual(arrearsInterest + cents(running.interest));
    expect(cents(approved.body.preview.principal)).toBe(120_000 + capitalisedInterest);
    expect(approved.body.preview.principal).toBe(preview.principal);

    const after = (await rest("GET", `/loans/${id}`, { token: borrower.token })).body;
    expect(after).toMatchObject({
      status: "disbursed",
      apr: "9.00",
      closedAt: null,
      outstanding: expect.any(String),
    });
    expect(after.history.at(-1)).toMatchObject({
      from: "defaulted",
      to: "disbursed",
      actorId: second.user.id,
    });
    const old = after.schedule.filter((row: { state: string }) => row.state === "restructured");
    const fresh = after.schedule.filter((row: { state: string }) => row.state === "pending");
    expect(old.map((row: { remaining: string }) => row.remaining)).toEqual(Array(old.length).fill("0.00"));
    expect(fresh).toHaveLength(24);
    expect(fresh[0].payment).toBe(approved.body.preview.monthlyPayment);

    // The principal on the books is the new schedule's: the capitalised interest was posted Dr loans_receivable.
    const books = await world.ledger(id);
    expect(books.balance("loans_receivable")).toBe(approved.body.preview.principal);
    expect(books.balance("interest_income")).toBe(approved.body.preview.capitalisedInterest);
    const versions = (await rest("GET", `/loans/${id}/schedule-versions`, { token: borrower.token })).body;
    expect(versions).toEqual([
      expect.objectContaining({ version: 1, cause: "restructure", apr: before.apr, termMonths: 12 }),
    ]);
    expect(versions[0].instalments.map((row: { state: string }) => row.state)).toContain("late");

    const listed = (await rest("GET", `/loans/${id}/restructures`, { token: borrower.token })).body;
    expect(listed.map((item: { id: string; status: string }) => [item.id, item.status])).toEqual([
      [proposed.body.id, "applied"],
    ]);
    const audit = await world.deps.db.select().from(auditLog).where(eq(auditLog.subjectId, id));
    expect(audit.map((row) => row.action)).toEqual(
      expect.arrayContaining(["loan.restructure_proposed", "loan.restructured", "loan.disbursed"]),
    );
  });

  it("a late loan without capitalising: arrears stay due, the rest is re-amortised at the new rate", async () => {
    const { rest, underwriter, second } = world;
    // Paid out 40 days ago: instalment 1 is some 10 days past due, beyond the 5 grace days.
    const { id } = await world.disbursedLoan({ daysAgo: 40 });
    const before = (await rest("GET", `/loans/${id}`, { token: underwriter.token })).body;
    const proposed = await rest("POST", `/loans/${id}/restructures`, {
      token: underwriter.token,
      body: { apr: "6.00", reason: "Hardship: lower rate" },
    });
    expect(proposed.status).toBe(200);
    const approved = await rest("POST", `/loans/${id}/restructures/${proposed.body.id}/approve`, {
      token: second.token,
    });
    expect(approved.status).toBe(200);
    const after = (await rest("GET", `/loans/${id}`, { token: underwriter.token })).body;
    expect(after.status).toBe("disbursed");
    expect(after.schedule[0]).toMatchObject({ n: 1, remaining: before.schedule[0].payment });
    expect(after.schedule.slice(1)).toHaveLength(11);
    expect(Number(after.monthlyPayment)).toBeLessThan(Number(before.monthlyPayment));
    const books = await world.ledger(id);
    expect(books.balance("loans_receivable")).toBe("1200.00");
    expect(books.entries).toBe(1);
  });

  it("refuses up-to-date loans, a second pending proposal, the borrower, other roles and bad input", async () => {
    const { rest, underwriter, second, admin } = world;
    const current = await world.disbursedLoan();
    expect(
      await rest("POST", `/loans/${current.id}/restructures`, { token: underwriter.token, body: terms }),
    ).toMatchObject({
      status: 409,
      body: { code: "LOAN_NOT_RESTRUCTURABLE" },
    });
    const { borrower, id } = await world.defaultedLoan();
    expect((await rest("POST", `/loans/${id}/restructures`, { body: terms })).status).toBe(401);
    expect(
      (await rest("POST", `/loans/${id}/restructures`, { token: borrower.token, body: terms })).status,
    ).toBe(403);
    const badTerm = await rest("POST", `/loans/${id}/restructures`, {
      token: underwriter.token,
      body: { ...terms, termMonths: 0 },
    });
    expect(badTerm.status).toBe(400);
    const noReason = await rest("POST", `/loans/${id}/restructures`, {
      token: underwriter.token,
      body: { termMonths: 24 },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.issues[0].path).toEqual(["reason"]);
    const tooEarly = await rest("POST", `/loans/${id}/restructures`, {
      token: underwriter.token,
      body: { ...terms, effectiveDate: "2001-01-01" },
    });
    expect(tooEarly).toMatchObject({ status: 400, body: { code: "INVALID_EFFECTIVE_DATE" } });

    const first = await rest("POST", `/loans/${id}/restructures`, { token: underwriter.token, body: terms });
    expect(first.status).toBe(200);
    expect(
      await rest("POST", `/loans/${id}/restructures`, { token: second.token, body: terms }),
    ).toMatchObject({
      status: 409,
      body: { code: "RESTRUCTURE_PENDING" },
    });
    const stranger = await world.applicant();
    expect((await rest("GET", `/loans/${id}/restructures`, { token: stranger.token })).status).toBe(404);
    expect(
      (await rest("POST", `/loans/${id}/restructures/${first.body.id}/approve`, { token: borrower.token }))
        .status,
    ).toBe(403);
    expect(
      (await rest("POST", `/loans/${id}/restructures/${first.body.id}/cancel`, { token: borrower.token }))
        .status,
    ).toBe(403);
    expect(
      (
        await rest("POST", `/loans/${id}/restructures/${crypto.randomUUID()}/approve`, {
          token: second.token,
        })
      ).status,
    ).toBe(404);
    const cancelled = await rest("POST", `/loans/${id}/restructures/${first.body.id}/cancel`, {
      token: admin.token,
    });
    expect(cancelled.body).toMatchObject({ status: "cancelled", decidedBy: admin.user.id });
    expect(
      await rest("POST", `/loans/${id}/restructures/${first.body.id}/approve`, { token: second.token }),
    ).toMatchObject({ status: 409, body: { code: "RESTRUCTURE_NOT_PENDING" } });
    expect((await rest("GET", `/loans/${id}`, { token: admin.token })).body.status).toBe("defaulted");
    expect((await world.ledger(id)).entries).toBe(1);
  });
});

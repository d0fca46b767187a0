import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Applicant, DAY, isoDay, servicingWorld } from "./helpers";

let world: Awaited<ReturnType<typeof servicingWorld>>;
let borrower: Applicant;
const ids: { current: string; late: string; old: string } = { current: "", late: "", old: "" };

const cents = (text: string) => Math.round(Number(text) * 100);
const money = (value: number) => (value / 100).toFixed(2);

beforeAll(async () => {
  world = await servicingWorld();
  // One borrower, three loans: paid out today, 40 days ago (1–30 days past due) and 200 days ago (90+).
  borrower = await world.applicant();
  ids.current = await world.approvedLoan(borrower);
  ids.late = await world.approvedLoan(borrower);
  ids.old = await world.approvedLoan(borrower);
  await world.disburse(ids.old, 200);
  await world.disburse(ids.late, 40);
  await world.disburse(ids.current, 0);
});
afterAll(async () => {
  await world.server.stop();
});
afterEach(async () => {
  await world.expectBooksBalanced();
});

/** Arrears as of today from the loan's own schedule: what is unpaid on instalments due before today. */
async function arrearsOf(id: string): Promise<number> {
  const today = isoDay(new Date());
  const loan = (await world.rest("GET", `/loans/${id}`, { token: world.admin.token })).body;
  return loan.schedule
    .filter((row: { dueDate: string }) => row.dueDate < today)
    .reduce((sum: number, row: { remaining: string }) => sum + cents(row.remaining), 0);
}

describe("the loan book", () => {
  it("lists a borrower's loans with outstanding principal, arrears and days-past-due buckets, and totals", async () => {
    const { rest, underwriter } = world;
    const page = await rest("GET", `/loans/portfolio?borrower=${encodeURIComponent(borrower.email)}`, {
      token: underwriter.token,
    });
    expect(page.status).toBe(200);
    expect(page.body.items.map((item: { id: string }) => item.id)).toEqual([ids.old, ids.late, ids.current]);
    const byId = Object.fromEntries(page.body.items.map((item: { id: string }) => [item.id, item]));
    expect(byId[ids.current]).toMatchObject({
      outstandingPrincipal: "1200.00",
      arrears: "0.00",
      dpdBucket: "current",
    });
    expect(byId[ids.late]).toMatchObject({ dpdBucket: "1-30", arrears: money(await arrearsOf(ids.late)) });
    expect(byId[ids.old]).toMatchObject({ dpdBucket: "90+", arrears: money(await arrearsOf(ids.old)) });
    expect(byId[ids.old].daysPastDue).toBeGreaterThan(90);
    const arrears = (await arrearsOf(ids.late)) + (await arrearsOf(ids.old));
    expect(page.body.totals).toEqual({
      loans: 3,
      outstandingPrincipal: "3600.00",
      arrears: money(arrears),
      byBucket: { current: 1, "1-30": 1, "31-60": 0, "61-90": 0, "90+": 1 },
    });
    expect(page.body.nextCursor).toBeNull();
  });

  it("filters by bucket, status and payout dates, and pages by keyset with totals over the whole selection", async () => {
    const { rest, admin } = world;
    const mine = `borrower=${borrower.user.id}`;
    const get = async (query: string) =>
      (await rest("GET", `/loans/portfolio?${mine}&${query}`, { token: admin.token })).body;
    expect((await get("dpdBucket=90%2B")).items.map((item: { id: string }) => item.id)).toEqual([ids.old]);
    expect((await get("dpdBucket=31-60")).totals.loans).toBe(0);
    expect((await get("status=disbursed")).totals.loans).toBe(3);
    const recent = isoDay(new Date(Date.now() - 50 * DAY));
    expect((await get(`disbursedFrom=${recent}`)).items.map((item: { id: string }) => item.id)).toEqual([
      ids.late,
      ids.current,
    ]);
    expect((await get(`disbursedTo=${recent}`)).items.map((item: { id: string }) => item.id)).toEqual([
      ids.old,
    ]);

    const first = await get("limit=2");
    expect(first.items).toHaveLength(2);
    expect(first.totals.loans).toBe(3);
    const second = await get(`limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((item: { id: string }) => item.id)).toEqual([ids.current]);
    expect(second.nextCursor).toBeNull();
  });

  it("filters by the product a loan was priced on, and shows each loan's product and version", async () => {
    const { rest, admin } = world;
    const product = await rest("POST", "/admin/products", {
      token: admin.token,
      body: { name: "Home repair" },
    });
    expect(product.status).toBe(200);
    const standard = (await rest("GET", "/loans/products")).body.items.find(
      (item: { isDefault: boolean }) => item.isDefault,
    );
    const other = await world.applicant();
    const onProduct = await world.approvedLoan(other, "1200.00", 12, product.body.id);
    const onDefault = await world.approvedLoan(other);
    const get = async (query: string) =>
      (await rest("GET", `/loans/portfolio?borrower=${other.user.id}&${query}`, { token: admin.token })).body;

    const chosen = await get(`productId=${product.body.id}`);
    expect(chosen.items.map((item: { id: string }) => item.id)).toEqual([onProduct]);
    expect(chosen.items[0]).toMatchObject({ productId: product.body.id, productVersion: 1 });
    expect(chosen.totals.loans).toBe(1);
    const standardOnly = await get(`productId=${standard.id}`);
    expect(standardOnly.items.map((item: { id: string }) => item.id)).toEqual([onDefault]);
    expect(standardOnly.items[0]).toMatchObject({ productId: standard.id, productVersion: standard.version });
    expect((await get(`productId=${crypto.randomUUID()}`)).totals.loans).toBe(0);
    expect((await get("")).totals.loans).toBe(2);

    const csv = await fetch(
      `${world.server.url}/api/loans/portfolio.csv?borrower=${other.user.id}&productId=${product.body.id}`,
      { headers: { authorization: `Bearer ${admin.token}` } },
    );
    const rows = (await csv.text()).trimEnd().split("\r\n").slice(1);
    expect(rows.map((line) => line.split(",")[0])).toEqual([onProduct]);
    expect(rows[0]?.endsWith(`,${product.body.id},1`)).toBe(true);
  });

  it("is for staff only and refuses bad filters with 400", async () => {
    const { rest, underwriter } = world;
    expect((await rest("GET", "/loans/portfolio")).status).toBe(401);
    expect((await rest("GET", "/loans/portfolio", { token: borrower.token })).status).toBe(403);
    const bucket = await rest("GET", "/loans/portfolio?dpdBucket=100", { token: underwriter.token });
    expect(bucket.status).toBe(400);
    expect(bucket.body.issues[0].path).toEqual(["dpdBucket"]);
    expect(
      (await rest("GET", "/loans/portfolio?disbursedFrom=yesterday", { token: underwriter.token })).status,
    ).toBe(400);
    expect((await rest("GET", "/loans/portfolio?borrower=nobody", { token: underwriter.token })).status).toBe(
      400,
    );
    const product = await rest("GET", "/loans/portfolio?productId=standard", { token: underwriter.token });
    expect(product.status).toBe(400);
    expect(product.body.issues[0].path).toEqual(["productId"]);
    const cursor = await rest("GET", "/loans/portfolio?cursor=forged", { token: underwriter.token });
    expect(cursor).toMatchObject({ status: 400, body: { code: "INVALID_CURSOR" } });
  });

  it("streams the same selection as CSV, to staff only", async () => {
    const url = `${world.server.url}/api/loans/portfolio.csv?borrower=${encodeURIComponent(borrower.email)}&limit=1`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${world.underwriter.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = (await response.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "id,userId,borrowerEmail,status,scheduleType,amount,apr,termMonths,createdAt,disbursedAt,outstandingPrincipal,arrears,daysPastDue,dpdBucket,productId,productVersion",
    );
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual([ids.old, ids.late, ids.current]);
    expect(lines[3]).toContain(",1200.00,0.00,0,current,");

    const refused = await fetch(url, { headers: { authorization: `Bearer ${borrower.token}` } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "FORBIDDEN" });
    const bad = await fetch(`${world.server.url}/api/loans/portfolio.csv?dpdBucket=7`, {
      headers: { authorization: `Bearer ${world.underwriter.token}` },
    });
    expect(bad.status).toBe(400);
  });
});

describe("statements", () => {
  it("shows opening and closing balances with every payment and interest charge between, reconciling", async () => {
    const { rest } = world;
    const { borrower: owner, id } = await world.disbursedLoan({ daysAgo: 45 });
    const loan = (await rest("GET", `/loans/${id}`, { token: owner.token })).body;
    const first = loan.schedule[0];
    await world.pay(owner.token, id, "50.00");
    const statement = await rest("GET", `/loans/${id}/statement`, { token: owner.token });
    expect(statement.status).toBe(200);
    const body = statement.body;
    expect(body).toMatchObject({
      loanId: id,
      from: isoDay(new Date(loan.disbursedAt)),
      to: isoDay(new Date()),
      openingBalance: "0.00",
      borrower: { email: owner.email },
    });
    expect(body.lines.map((line: { kind: string }) => line.kind)).toEqual([
      "disbursement",
      "interest",
      "payment",
    ]);
    expect(body.lines[1]).toMatchObject({ date: first.dueDate, amount: first.interest });
    expect(body.lines[2]).toMatchObject({ amount: "50.00", interest: first.interest, effect: "-50.00" });
    const expected = 120_000 + cents(first.interest) - 5_000;
    expect(body.closingBalance).toBe(money(expected));
    expect(body.lines.at(-1).balance).toBe(body.closingBalance);
    expect(body.totals).toEqual({ payments: "50.00", interest: first.interest, fees: "0.00" });

    // A later window opens with what the earlier lines left.
    const today = isoDay(new Date());
    const window = (
      await rest("GET", `/loans/${id}/statement?from=${today}&to=${today}`, { token: owner.token })
    ).body;
    expect(window.openingBalance).toBe(money(120_000 + cents(first.interest)));
    expect(window.lines.map((line: { kind: string }) => line.kind)).toEqual(["payment"]);
    expect(window.closingBalance).toBe(body.closingBalance);
  });

  it("a loan paid off early ends at zero", async () => {
    const { rest } = world;
    const { borrower: owner, id } = await world.disbursedLoan({ daysAgo: 12 });
    const quote = (await rest("GET", `/loans/${id}/payoff`, { token: owner.token })).body;
    await world.pay(owner.token, id, quote.amount, "reduce_instalment");
    const body = (await rest("GET", `/loans/${id}/statement`, { token: owner.token })).body;
    expect(body.lines.map((line: { kind: string; amount: string }) => [line.kind, line.amount])).toEqual([
      ["disbursement", "1200.00"],
      ["interest", quote.interest],
      ["payment", quote.amount],
    ]);
    expect(body.closingBalance).toBe("0.00");
  });

  it("is the borrower's and staff's only, and refuses an inverted period", async () => {
    const { rest } = world;
    const { borrower: owner, id } = await world.disbursedLoan();
    const stranger = await world.applicant();
    expect((await rest("GET", `/loans/${id}/statement`)).status).toBe(401);
    expect((await rest("GET", `/loans/${id}/statement`, { token: stranger.token })).status).toBe(404);
    expect((await rest("GET", `/loans/${id}/statement`, { token: world.admin.token })).status).toBe(200);
    const inverted = await rest("GET", `/loans/${id}/statement?from=2030-01-02&to=2030-01-01`, {
      token: owner.token,
    });
    expect(inverted).toMatchObject({ status: 400, body: { code: "INVALID_PERIOD" } });
    const pdf = await fetch(`${world.server.url}/api/loans/${id}/statement?format=pdf`, {
      headers: { authorization: `Bearer ${stranger.token}` },
    });
    expect(pdf.status).toBe(404);
    expect(await pdf.json()).toMatchObject({ code: "NOT_FOUND" });
  });

  it("renders as a PDF a person can read: text and a page image", async () => {
    const { borrower: owner, id } = await world.disbursedLoan({ daysAgo: 45 });
    await world.pay(owner.token, id, "50.00");
    const response = await fetch(`${world.server.url}/api/loans/${id}/statement?format=pdf`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    const json = (await world.rest("GET", `/loans/${id}/statement`, { token: owner.token })).body;

    if (!Bun.which("pdftotext") || !Bun.which("pdftoppm")) {
      console.warn(
        "poppler-utils (pdftotext, pdftoppm) is not installed: the PDF's text and image are not checked",
      );
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "statement-"));
    try {
      const file = join(dir, "statement.pdf");
      writeFileSync(file, bytes);
      const text = Bun.spawnSync(["pdftotext", "-layout", file, "-"]).stdout.toString();
      expect(text).toContain("Loan statement");
      expect(text).toContain(owner.email);
      expect(text).toMatch(new RegExp(`Opening balance\\s+${json.openingBalance}`));
      expect(text).toMatch(new RegExp(`Closing balance\\s+${json.closingBalance.replace(".", "\\.")}`));
      expect(text).toContain("Payment received");
      expect(text).toContain("1200.00");
      const rendered = Bun.spawnSync([
        "pdftoppm",
        "-png",
        "-r",
        "60",
        "-f",
        "1",
        "-l",
        "1",
        file,
        join(dir, "page"),
      ]);
      expect(rendered.exitCode).toBe(0);
      const png = readFileSync(join(dir, "page-1.png"));
      expect([...png.subarray(1, 4)].map((byte) => String.fromCharCode(byte)).join("")).toBe("PNG");
      // A blank page compresses to almost nothing; one with the statement's text does not.
      expect(png.length).toBeGreaterThan(5_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

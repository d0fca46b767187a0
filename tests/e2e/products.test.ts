import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { amlConfig } from "../../server/compliance/aml/monitoring";
import type { AppDeps } from "../../server/context";
import { runDelinquency } from "../../server/loans/delinquency-job";
import { loanSettings } from "../../server/loans/settings";
import { disburseLoan } from "../../server/loans/workflow";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { LOAN_TEST_OVERRIDES, makeApplicant, makeStaff, newKey } from "../helpers/loans";
import { restClient } from "../helpers/rest";

const DAY = 86_400_000;

let deps: AppDeps;
let server: TestServer;
let rest: ReturnType<typeof restClient>;
let underwriter: Awaited<ReturnType<typeof makeStaff>>;
let admin: Awaited<ReturnType<typeof makeStaff>>;

beforeAll(async () => {
  deps = await testDeps(LOAN_TEST_OVERRIDES);
  server = await startTestServer(deps);
  rest = restClient(server.url);
  underwriter = await makeStaff(deps, "underwriter");
  admin = await makeStaff(deps, "admin");
});
afterAll(async () => {
  await server.stop();
});

// The books balance after every test: debits equal credits over the whole ledger.
afterEach(async () => {
  const { status, body } = await rest("GET", "/admin/ledger/balance", { token: admin.token });
  expect(status).toBe(200);
  expect(body.balanced).toBe(true);
  expect(body.totalDebit).toBe(body.totalCredit);
});

const createProduct = (body: object, token = admin.token) => rest("POST", "/admin/products", { token, body });

/** One loan's balance per ledger account, in each account's normal direction. */
async function loanBooks(loanId: string): Promise<Record<string, string>> {
  const { status, body } = await rest("GET", `/admin/ledger/balance?loanId=${loanId}`, {
    token: admin.token,
  });
  expect(status).toBe(200);
  expect(body.balanced).toBe(true);
  return Object.fromEntries(
    (body.accounts as { account: string; balance: string }[]).map((row) => [row.account, row.balance]),
  );
}

async function defaultProduct() {
  const { status, body } = await rest("GET", "/loans/products");
  expect(status).toBe(200);
  return body.items.find((item: { isDefault: boolean }) => item.isDefault);
}

describe("loan products", () => {
  it("lists the default product to anyone, seeded from the LOAN_* settings", async () => {
    const standard = await defaultProduct();
    expect(standard).toMatchObject({
      version: 1,
      status: "active",
      name: "Standard",
      minAmount: "500.00",
      maxAmount: "50000.00",
      minTermMonths: deps.config.LOAN_MIN_TERM_MONTHS,
      maxTermMonths: deps.config.LOAN_MAX_TERM_MONTHS,
      scheduleType: "equal_installments",
      scoreFloor: deps.config.LOAN_SCORE_FLOOR,
      maxDtiPercent: "43.00",
      graceDays: deps.config.LOAN_GRACE_DAYS,
      originationFeePercent: "0.00",
      originationFeeFixed: "0.00",
      originationFeeFinanced: false,
      lateFeeFixed: "0.00",
      lateFeePercent: "0.00",
      lateFeeCap: null,
    });
    expect(standard.pricing).toContainEqual({ band: "excellent", apr: "7.99" });
    expect(standard.pricing).toContainEqual({ band: "poor", apr: "24.99" });
  });

  it("lets only admins create, edit and list products", async () => {
    const { token } = await makeApplicant(deps);
    const body = { name: "Not yours" };
    expect((await createProduct(body, "")).status).toBe(401);
    expect((await createProduct(body, token)).status).toBe(403);
    expect((await createProduct(body, underwriter.token)).status).toBe(403);
    const standard = await defaultProduct();
    const patch = { token: underwriter.token, body: { graceDays: 1 } };
    expect((await rest("PATCH", `/admin/products/${standard.id}`, patch)).status).toBe(403);
    expect((await rest("GET", "/admin/products", { token })).status).toBe(403);
    expect((await defaultProduct()).version).toBe(standard.version);
  });

  it("fills fields left out from the default product, and refuses bad terms with a 400 and no product", async () => {
    const standard = await defaultProduct();
    const created = await createProduct({ name: "Car loan", maxAmount: "20000.00", graceDays: 7 });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      version: 1,
      status: "active",
      isDefault: false,
      name: "Car loan",
      maxAmount: "20000.00",
      graceDays: 7,
      minAmount: standard.minAmount,
      scoreFloor: standard.scoreFloor,
      pricing: standard.pricing,
    });
    const before = (await rest("GET", "/admin/products", { token: admin.token })).body.items.length;
    const inverted = await createProduct({ name: "Inverted", minAmount: "900.00", maxAmount: "800.00" });
    expect(inverted.status).toBe(400);
    expect(inverted.body.message).toContain("minAmount must not be above maxAmount");
    const missingBand = await createProduct({
      name: "Short table",
      pricing: [{ band: "excellent", apr: "5.00" }],
    });
    expect(missingBand.status).toBe(400);
    expect(missingBand.body.message).toContain("every score band");
    const badFee = await createProduct({ name: "Bad fee", originationFeePercent: "101" });
    expect(badFee.status).toBe(400);
    expect((await rest("GET", "/admin/products", { token: admin.token })).body.items.length).toBe(before);
  });

  it("discloses the true APR of a quote whose origination fee is deducted from the payout", async () => {
    const product = await createProduct({
      name: "Fee deducted",
      originationFeePercent: "2.00",
      originationFeeFixed: "25.00",
    });
    const { token } = await makeApplicant(deps);
    const quote = await rest("POST", "/loans/calculate", {
      token,
      body: { productId: product.body.id, amount: "5000.00", termMonths: 12, apr: "12.00" },
    });
    expect(quote.status).toBe(200);
    // Fee 2 % of 5,000.00 + 25.00 = 125.00; the borrower receives 4,875.00 and repays 12 payments on 5,000.00.
    expect(quote.body).toMatchObject({
      product: { id: product.body.id, version: 1, name: "Fee deducted" },
      apr: "12.00",
      originationFee: "125.00",
      originationFeeFinanced: false,
      principal: "5000.00",
      payout: "4875.00",
      monthlyPayment: "444.24",
    });
    expect(quote.body.disclosure).toMatchObject({
      amountFinanced: "4875.00",
      prepaidFinanceCharge: "125.00",
      totalOfPayments: "5330.93",
      financeCharge: "455.93",
      apr: "16.84", // 16.8360 % by a 60-digit decimal bisection of the same payments
    });
  });

  it("quotes on the product's schedule type unless the request names one", async () => {
    const product = await createProduct({ name: "Declining", scheduleType: "equal_principal" });
    const { token } = await makeApplicant(deps);
    const body = { productId: product.body.id, amount: "1200.00", termMonths: 12, apr: "10.00" };
    const own = await rest("POST", "/loans/calculate", { token, body });
    expect(own.body).toMatchObject({ scheduleType: "equal_principal", monthlyPayment: "110.00" });
    const asked = await rest("POST", "/loans/calculate", {
      token,
      body: { ...body, scheduleType: "equal_installments" },
    });
    expect(asked.body.scheduleType).toBe("equal_installments");
    const unknown = await rest("POST", "/loans/calculate", {
      token,
      body: { ...body, productId: crypto.randomUUID() },
    });
    expect(unknown.status).toBe(404);
  });

  it("discloses a financed fee: the principal grows, the amount financed is the amount", async () => {
    const product = await createProduct({
      name: "Fee financed",
      originationFeePercent: "2.50",
      originationFeeFinanced: true,
    });
    const { token } = await makeApplicant(deps);
    const quote = await rest("POST", "/loans/calculate", {
      token,
      body: { productId: product.body.id, amount: "5000.00", termMonths: 12, apr: "12.00" },
    });
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ originationFee: "125.00", principal: "5125.00", payout: "5000.00" });
    expect(quote.body.disclosure).toMatchObject({
      amountFinanced: "5000.00",
      totalOfPayments: "5464.21",
      financeCharge: "464.21",
      apr: "16.72", // 16.7163 %
    });
  });

  it("prices a loan on the product's current version, which the loan keeps after an edit; the payout books the fee", async () => {
    const product = await createProduct({ name: "Versioned", originationFeeFixed: "50.00" });
    const applicant = await makeApplicant(deps);
    const applied = await rest("POST", "/loans/apply", {
      token: applicant.token,
      body: { productId: product.body.id, amount: "2000.00", termMonths: 6, purpose: "Laptop" },
      headers: { "Idempotency-Key": newKey() },
    });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({
      productId: product.body.id,
      productVersion: 1,
      originationFee: "50.00",
      originationFeeFinanced: false,
      amount: "2000.00",
    });
    const edited = await rest("PATCH", `/admin/products/${product.body.id}`, {
      token: admin.token,
      body: { originationFeeFixed: "80.00", graceDays: 2 },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      version: 2,
      originationFeeFixed: "80.00",
      graceDays: 2,
      name: "Versioned",
    });

    const id = applied.body.id as string;
    expect((await rest("POST", `/loans/${id}/approve`, { token: underwriter.token })).status).toBe(200);
    const disbursed = await rest("POST", `/loans/${id}/disburse`, { token: admin.token });
    expect(disbursed.status).toBe(200);
    expect(disbursed.body).toMatchObject({ productVersion: 1, originationFee: "50.00" });
    // Dr loans_receivable 2,000.00 / Cr cash 1,950.00 (the payout) / Cr fee_income 50.00.
    expect(await loanBooks(id)).toMatchObject({
      loans_receivable: "2000.00",
      cash: "-1950.00",
      fee_income: "50.00",
      fees_receivable: "0.00",
    });
  });

  it("applies without a productId under the default product, as before products existed", async () => {
    const standard = await defaultProduct();
    const applicant = await makeApplicant(deps);
    const applied = await rest("POST", "/loans/apply", {
      token: applicant.token,
      body: { amount: "1000.00", termMonths: 6, purpose: "Bike" },
      headers: { "Idempotency-Key": newKey() },
    });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({
      productId: standard.id,
      productVersion: standard.version,
      originationFee: "0.00",
      scheduleType: "equal_installments",
    });
  });

  it("takes no new loans on a retired product, and never retires the default one", async () => {
    const product = await createProduct({ name: "Short-lived" });
    const retired = await rest("PATCH", `/admin/products/${product.body.id}`, {
      token: admin.token,
      body: { status: "retired" },
    });
    expect(retired.status).toBe(200);
    expect(retired.body).toMatchObject({ status: "retired", version: 1 });
    const listed = await rest("GET", "/loans/products");
    expect(listed.body.items.map((item: { id: string }) => item.id)).not.toContain(product.body.id);
    const all = await rest("GET", "/admin/products", { token: admin.token });
    expect(all.body.items.map((item: { id: string }) => item.id)).toContain(product.body.id);

    const applicant = await makeApplicant(deps);
    const body = { productId: product.body.id, amount: "1000.00", termMonths: 6, purpose: "Anything" };
    const apply = await rest("POST", "/loans/apply", {
      token: applicant.token,
      body,
      headers: { "Idempotency-Key": newKey() },
    });
    expect(apply.status).toBe(422);
    expect(apply.body.code).toBe("PRODUCT_RETIRED");
    const quote = await rest("POST", "/loans/calculate", {
      token: applicant.token,
      body: { ...body, apr: "10" },
    });
    expect(quote.status).toBe(422);

    const standard = await defaultProduct();
    const retireDefault = await rest("PATCH", `/admin/products/${standard.id}`, {
      token: admin.token,
      body: { status: "retired" },
    });
    expect(retireDefault.status).toBe(409);
    const missing = await rest("PATCH", `/admin/products/${crypto.randomUUID()}`, {
      token: admin.token,
      body: { status: "retired" },
    });
    expect(missing.status).toBe(404);
    expect(retireDefault.body.code).toBe("DEFAULT_PRODUCT_NOT_RETIRABLE");
    expect((await defaultProduct()).status).toBe("active");
  });

  it("posts a late fee once per late instalment through the delinquency job, after the product's grace days", async () => {
    const product = await createProduct({
      name: "Late fees",
      graceDays: 3,
      lateFeeFixed: "2.00",
      lateFeePercent: "5.00",
      lateFeeCap: "40.00",
    });
    const applicant = await makeApplicant(deps);
    const applied = await rest("POST", "/loans/apply", {
      token: applicant.token,
      body: { productId: product.body.id, amount: "3000.00", termMonths: 6, purpose: "Sofa" },
      headers: { "Idempotency-Key": newKey() },
    });
    expect(applied.status).toBe(200);
    const id = applied.body.id as string;
    expect((await rest("POST", `/loans/${id}/approve`, { token: underwriter.token })).status).toBe(200);
    // Paid out 75 days ago: instalments fell due about 45 and 15 days ago, both past the 3 grace days.
    const meta = { actorId: null, ip: null, requestId: "test:late-fees" };
    await disburseLoan(
      deps.db,
      meta,
      { outbox: {}, aml: amlConfig(deps.config), fourEyes: true },
      admin.user,
      {
        loanId: id,
        now: new Date(Date.now() - 75 * DAY),
      },
    );
    const { body: loan } = await rest("GET", `/loans/${id}`, { token: applicant.token });
    const overdue = loan.schedule.filter(
      (row: { dueDate: string }) => Date.parse(row.dueDate) < Date.now() - 3 * DAY,
    );
    expect(overdue).toHaveLength(2);
    // Each: 2.00 + 5 % of the unpaid instalment, capped at 40.00.
    const expectedFees = overdue.map((row: { payment: string }) =>
      Math.min(200 + Math.round(Math.round(Number(row.payment) * 100) * 0.05), 4000),
    );
    const policy = loanSettings(deps.config).delinquency;

    const first = await runDelinquency(deps.db, meta, new Date(), { policy });
    expect(first.failures).toEqual([]);
    const books = await loanBooks(id);
    const total = expectedFees.reduce((sum: number, fee: number) => sum + fee, 0);
    expect(books.fees_receivable).toBe((total / 100).toFixed(2));
    expect(books.fee_income).toBe((total / 100).toFixed(2));

    const again = await runDelinquency(deps.db, meta, new Date(), { policy });
    expect(again.failures).toEqual([]);
    expect(await loanBooks(id)).toEqual(books);
    const { body: after } = await rest("GET", `/loans/${id}`, { token: applicant.token });
    expect(after.schedule.filter((row: { state: string }) => row.state === "late")).toHaveLength(2);
  });
});

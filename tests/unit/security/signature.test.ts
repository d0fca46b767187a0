import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { loadConfig } from "../../../server/config";
import { paymentsSettings } from "../../../server/payments/settings";
import { signatureHeader, signPayload, verifySignature } from "../../../server/security/signature";

const secret = "whsec_test_0123456789abcdef";
const body = '{"eventId":"evt_1","type":"payment.settled","reference":"pay_x","amount":"888.49"}';
const at = new Date("2025-06-15T12:00:00Z");
const t = Math.floor(at.getTime() / 1000);

describe("webhook signatures", () => {
  test("are HMAC-SHA256 of '<t>.<raw body>' in hex, as Stripe's scheme", () => {
    const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    expect(signPayload(secret, t, body)).toBe(expected);
    expect(signatureHeader(secret, body, at)).toBe(`t=${t},v1=${expected}`);
  });

  test("a good signature within five minutes either way passes", () => {
    const header = signatureHeader(secret, body, at);
    expect(verifySignature(secret, header, body, at)).toEqual({ ok: true, timestamp: t });
    expect(verifySignature(secret, header, body, new Date(at.getTime() + 300_000)).ok).toBe(true);
    expect(verifySignature(secret, header, body, new Date(at.getTime() - 300_000)).ok).toBe(true);
  });

  test("one of several v1 signatures may match (a secret being rotated)", () => {
    const good = signPayload(secret, t, body);
    const header = `t=${t},v1=${signPayload("old-secret-0123456789", t, body)},v1=${good}`;
    expect(verifySignature(secret, header, body, at).ok).toBe(true);
  });

  test.each([
    ["no header", null, "WEBHOOK_SIGNATURE_MISSING"],
    ["no timestamp", `v1=${"a".repeat(64)}`, "WEBHOOK_SIGNATURE_INVALID"],
    ["no signature", `t=${t}`, "WEBHOOK_SIGNATURE_INVALID"],
    ["a short signature", `t=${t},v1=abc`, "WEBHOOK_SIGNATURE_INVALID"],
    ["another secret", signatureHeader("another-secret-0123", body, at), "WEBHOOK_SIGNATURE_INVALID"],
    [
      "a timestamp changed after signing",
      `t=${t + 1},v1=${signPayload(secret, t, body)}`,
      "WEBHOOK_SIGNATURE_INVALID",
    ],
  ])("refuses %s", (_what, header, code) => {
    expect(verifySignature(secret, header, body, at)).toMatchObject({ ok: false, code });
  });

  test("refuses a body changed by one byte, and a signature older or newer than five minutes", () => {
    const header = signatureHeader(secret, body, at);
    expect(verifySignature(secret, header, body.replace("888.49", "888.50"), at).ok).toBe(false);
    expect(verifySignature(secret, header, body, new Date(at.getTime() + 301_000))).toMatchObject({
      code: "WEBHOOK_TIMESTAMP_STALE",
    });
    expect(verifySignature(secret, header, body, new Date(at.getTime() - 301_000))).toMatchObject({
      code: "WEBHOOK_TIMESTAMP_STALE",
    });
  });
});

describe("payments configuration", () => {
  test("the sandbox outside production, the webhook in production", () => {
    expect(loadConfig({ NODE_ENV: "development" }).PAYMENTS_PROVIDER).toBe("sandbox");
    expect(loadConfig({ NODE_ENV: "test" }).PAYMENTS_PROVIDER).toBe("sandbox");
    expect(loadConfig({}).PAYMENTS_PROVIDER).toBe("webhook");
    expect(loadConfig({}).PAYMENTS_SANDBOX_DELAY_SECONDS).toBe(2);
  });

  test("the sandbox is refused in production, and a short secret anywhere", () => {
    expect(() => loadConfig({ PAYMENTS_PROVIDER: "sandbox" })).toThrow("PAYMENTS_PROVIDER");
    expect(() => loadConfig({ PAYMENTS_WEBHOOK_SECRET: "short" })).toThrow("PAYMENTS_WEBHOOK_SECRET");
    expect(() => loadConfig({ PAYMENTS_PROVIDER: "stripe" })).toThrow("PAYMENTS_PROVIDER");
  });

  test("without a secret: one per process outside production, none in production", () => {
    const development = paymentsSettings(loadConfig({ NODE_ENV: "development" }));
    expect(development).toMatchObject({ provider: "sandbox", generatedSecret: true });
    expect(development.webhookSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(paymentsSettings(loadConfig({ NODE_ENV: "development" })).webhookSecret).not.toBe(
      development.webhookSecret,
    );
    expect(paymentsSettings(loadConfig({}))).toMatchObject({ provider: "webhook", webhookSecret: null });
    expect(paymentsSettings(loadConfig({ PAYMENTS_WEBHOOK_SECRET: secret }))).toMatchObject({
      webhookSecret: secret,
      generatedSecret: false,
    });
  });

  test("the new limits have their defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      LOAN_FOUR_EYES: true,
      LOAN_INCOME_VERIFICATION_THRESHOLD: 25_000_000,
      PROFILE_MAX_ANNUAL_INCOME: 1_000_000_000,
      IDEMPOTENCY_TTL_HOURS: 24,
    });
    expect(loadConfig({ LOAN_FOUR_EYES: "false" }).LOAN_FOUR_EYES).toBe(false);
  });
});

/**
 * Webhooks over real HTTP, administration: endpoints registered, listed and deleted by admins only, secrets
 * shown once and kept sealed; private targets refused at registration and again at delivery, after DNS.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import { webhookEndpoints } from "../../db/schema";
import { waitFor } from "../helpers/chain";
import { makeApplicant, newKey } from "../helpers/loans";
import { startWebhookApp, type WebhookApp } from "../helpers/webhooks";

let app: WebhookApp;
let deps: WebhookApp["deps"];
let rest: WebhookApp["rest"];
let receiver: WebhookApp["receiver"];
let admin: WebhookApp["admin"];
let underwriter: WebhookApp["underwriter"];

beforeAll(async () => {
  app = await startWebhookApp();
  ({ deps, rest, receiver, admin, underwriter } = app);
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

const register = (path: string, events: string[]) => app.register(path, events);

describe("managing endpoints", () => {
  it("shows the secret once, keeps it sealed, lists endpoints without it and deletes one", async () => {
    const created = await register("/managed", ["score.calculated"]);
    expect(created.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const [row] = await deps.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, created.id));
    expect(row?.secretSealed.startsWith("sealed:v1:")).toBe(true);
    expect(row?.secretSealed).not.toContain(created.secret.slice(6));

    const listed = await rest("GET", "/admin/webhooks", { token: admin.token });
    const item = listed.body.items.find((entry: { id: string }) => entry.id === created.id);
    expect(item).toMatchObject({ url: `${receiver.url}/managed`, events: ["score.calculated"] });
    expect(JSON.stringify(listed.body)).not.toContain(created.secret);

    expect((await rest("DELETE", `/admin/webhooks/${created.id}`, { token: admin.token })).status).toBe(200);
    expect((await rest("DELETE", `/admin/webhooks/${created.id}`, { token: admin.token })).status).toBe(404);
    const after = await rest("GET", "/admin/webhooks", { token: admin.token });
    expect(after.body.items.some((entry: { id: string }) => entry.id === created.id)).toBe(false);
  });

  it("refuses bad registrations with 400 naming the problem, and stores nothing", async () => {
    const before = (await rest("GET", "/admin/webhooks", { token: admin.token })).body.items.length;
    for (const body of [
      { url: `${receiver.url}/x`, events: [] },
      { url: `${receiver.url}/x`, events: ["loan.exploded"] },
      { url: "ftp://example.com/hook", events: ["loan.approved"] },
      { url: "not a url", events: ["loan.approved"] },
      { url: "http://user:secret@example.com/hook", events: ["loan.approved"] },
      { events: ["loan.approved"] },
    ]) {
      const answer = await rest("POST", "/admin/webhooks", { token: admin.token, body });
      expect(answer.status).toBe(400);
    }
    expect((await rest("GET", "/admin/webhooks", { token: admin.token })).body.items.length).toBe(before);
  });

  it("lets only admins use every webhook route: 401 anonymous, 403 for users and underwriters", async () => {
    const user = await makeApplicant(deps, { kyc: false, scoredAt: false });
    const id = crypto.randomUUID();
    const routes: [string, string, object?][] = [
      ["POST", "/admin/webhooks", { url: `${receiver.url}/x`, events: ["loan.approved"] }],
      ["GET", "/admin/webhooks"],
      ["DELETE", `/admin/webhooks/${id}`],
      ["GET", "/admin/webhooks/deliveries"],
      ["GET", `/admin/webhooks/deliveries/${id}`],
      ["POST", `/admin/webhooks/deliveries/${id}/redeliver`],
    ];
    for (const [method, path, body] of routes) {
      expect((await rest(method, path, { body })).status).toBe(401);
      expect((await rest(method, path, { token: user.token, body })).status).toBe(403);
      expect((await rest(method, path, { token: underwriter.token, body })).status).toBe(403);
    }
    expect((await rest("GET", `/admin/webhooks/deliveries/${id}`, { token: admin.token })).status).toBe(404);
    expect(
      (await rest("POST", `/admin/webhooks/deliveries/${id}/redeliver`, { token: admin.token })).status,
    ).toBe(404);
  });
});

describe("private targets (SSRF)", () => {
  it("refuses loopback, private, link-local and metadata addresses at registration when they are not allowed", async () => {
    const settings = deps.webhooks;
    const saved = { ...settings };
    settings.allowPrivate = false;
    settings.resolve = async (host) =>
      host === "localhost"
        ? [{ address: "127.0.0.1", family: 4 }]
        : [{ address: "93.184.215.14", family: 4 }];
    try {
      for (const url of [
        `${receiver.url}/x`,
        "http://localhost:8080/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hook",
        "http://[fd00:ec2::254]/hook",
        "http://[::ffff:127.0.0.1]/hook",
      ]) {
        const answer = await rest("POST", "/admin/webhooks", {
          token: admin.token,
          body: { url, events: ["loan.approved"] },
        });
        expect({ url, status: answer.status, code: answer.body.code }).toEqual({
          url,
          status: 400,
          code: "WEBHOOK_URL_REFUSED",
        });
      }
      const publicHost = await rest("POST", "/admin/webhooks", {
        token: admin.token,
        body: { url: "https://hooks.example.com/blockscore", events: ["loan.approved"] },
      });
      expect(publicHost.status).toBe(200);
      await rest("DELETE", `/admin/webhooks/${publicHost.body.id}`, { token: admin.token });
    } finally {
      Object.assign(settings, saved);
    }
  });

  it("checks the address again at delivery, after DNS: a name that now points inside is not called", async () => {
    const settings = deps.webhooks;
    const saved = { ...settings };
    let answer = "93.184.215.14";
    settings.allowPrivate = false;
    settings.resolve = async () => [{ address: answer, family: 4 }];
    try {
      const endpoint = await rest("POST", "/admin/webhooks", {
        token: admin.token,
        body: { url: `http://rebind.example:${receiver.port}/rebind`, events: ["loan.submitted"] },
      });
      expect(endpoint.status).toBe(200);
      answer = "127.0.0.1";
      const applicant = await makeApplicant(deps);
      await rest("POST", "/loans/apply", {
        token: applicant.token,
        body: { amount: "900.00", termMonths: 6, purpose: "Tools" },
        headers: { "Idempotency-Key": newKey() },
      });
      const refused = await waitFor("the refused attempt", async () => {
        const { body } = await rest("GET", `/admin/webhooks/deliveries?endpointId=${endpoint.body.id}`, {
          token: admin.token,
        });
        return body.items.find((item: { attempts: number }) => item.attempts >= 1);
      });
      expect(refused.lastError).toContain("target refused");
      expect(refused.status).toBe("pending");
      expect(receiver.requests.some((item) => item.path === "/rebind")).toBe(false);
      await rest("DELETE", `/admin/webhooks/${endpoint.body.id}`, { token: admin.token });
    } finally {
      Object.assign(settings, saved);
    }
  }, 60_000);
});

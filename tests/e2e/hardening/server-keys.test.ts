import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { eq } from "drizzle-orm";
import { recoveryCodes, users } from "../../../db/schema";
import { loadConfig } from "../../../server/config";
import type { AppDeps } from "../../../server/context";
import { withServerKeys } from "../../../server/server-keys";
import { startTestServer, type TestServer, testDeps } from "../../helpers/app";
import { restClient } from "../../helpers/rest";
import { totpCode } from "../../helpers/totp";
import { TEST_PASSWORD, uniqueEmail } from "../../helpers/users";

const MAIN = resolve(import.meta.dir, "../../../server/main.ts");

type Started = { url: string; output: string[]; stop(): Promise<number> };

/** `bun run start` as an operator runs it: production, no keys set, a data folder of its own. */
async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<Started> {
  const child = Bun.spawn([process.execPath, MAIN], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: "",
      REDIS_URL: "",
      MFA_ENCRYPTION_KEY: "",
      AUDIT_HMAC_KEY: "",
      DATA_DIR: dataDir,
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "info",
      ...env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const output: string[] = [];
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let port: number | null = null;
  const deadline = Date.now() + 60_000;
  while (port === null && Date.now() < deadline) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const line of decoder.decode(value).split("\n").filter(Boolean)) {
      output.push(line);
      const record = JSON.parse(line) as { msg?: string; port?: number };
      if (record.msg === "BlockScore listening") port = record.port ?? null;
    }
  }
  if (port === null) {
    child.kill();
    throw new Error(`server did not start: ${output.join("\n")}\n${await new Response(child.stderr).text()}`);
  }
  reader.releaseLock();
  return {
    url: `http://127.0.0.1:${port}`,
    output,
    stop: async () => {
      child.kill("SIGTERM");
      return child.exited;
    },
  };
}

function failToStart(env: Record<string, string>) {
  return Bun.spawnSync([process.execPath, MAIN], {
    env: { ...process.env, MFA_ENCRYPTION_KEY: "", AUDIT_HMAC_KEY: "", REDIS_URL: "", ...env },
  });
}

describe("server keys on a fresh data folder", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "blockscore-keys-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("generates both keys into the data folder (mode 0600) at first start, and uses them from then on", async () => {
    const server = await startServer(dataDir);
    const keyFile = join(dataDir, "server-keys.json");
    try {
      const rest = restClient(server.url);
      expect((await rest("GET", "/health")).status).toBe(200);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const keys = JSON.parse(readFileSync(keyFile, "utf8")) as Record<string, string>;
      expect(keys.MFA_ENCRYPTION_KEY).toMatch(/^[0-9a-f]{64}$/);
      expect(keys.AUDIT_HMAC_KEY).toMatch(/^[0-9a-f]{64}$/);
      expect(keys.MFA_ENCRYPTION_KEY).not.toBe(keys.AUDIT_HMAC_KEY);
      const log = server.output.join("\n");
      expect(log).toContain("generated server keys");
      expect(log).not.toContain(keys.MFA_ENCRYPTION_KEY);
      expect(log).not.toContain(keys.AUDIT_HMAC_KEY);

      const email = uniqueEmail("keys");
      const { body } = await rest("POST", "/auth/register", {
        body: { email, password: TEST_PASSWORD, name: "Keys" },
      });
      const setup = await rest("POST", "/auth/mfa/totp/setup", { token: body.token });
      const confirmed = await rest("POST", "/auth/mfa/totp/confirm", {
        token: body.token,
        body: { code: totpCode(setup.body.secret) },
      });
      expect(confirmed.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // The next start (or a CLI on the same folder) reads the same keys and generates none.
    const again = withServerKeys(loadConfig({ NODE_ENV: "production", DATA_DIR: dataDir }));
    expect(again.generated).toEqual([]);
    const stored = JSON.parse(readFileSync(keyFile, "utf8")) as Record<string, string>;
    expect(again.config.MFA_ENCRYPTION_KEY).toBe(stored.MFA_ENCRYPTION_KEY as string);
    expect(again.config.AUDIT_HMAC_KEY).toBe(stored.AUDIT_HMAC_KEY as string);
  }, 120_000);

  it("refuses to start when the key file can be read by other users", () => {
    const keyFile = join(dataDir, "server-keys.json");
    chmodSync(keyFile, 0o644);
    const refused = failToStart({ NODE_ENV: "production", DATABASE_URL: "", DATA_DIR: dataDir });
    chmodSync(keyFile, 0o600);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr.toString()).toContain("chmod 600");
  });
});

describe("a production server on DATABASE_URL", () => {
  it("refuses to start without MFA_ENCRYPTION_KEY and AUDIT_HMAC_KEY, saying how to make them", () => {
    const refused = failToStart({
      NODE_ENV: "production",
      DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
    });
    const message = refused.stderr.toString();
    expect(refused.exitCode).toBe(1);
    expect(message).toContain("MFA_ENCRYPTION_KEY");
    expect(message).toContain("AUDIT_HMAC_KEY");
    expect(message).toContain("openssl rand -hex 32");
  });

  it("refuses a key that is not 32 bytes of hex", () => {
    const refused = failToStart({
      NODE_ENV: "production",
      DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
      MFA_ENCRYPTION_KEY: "too-short",
      AUDIT_HMAC_KEY: "ab".repeat(32),
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr.toString()).toContain("MFA_ENCRYPTION_KEY: must be 64 hex characters");
  });
});

describe("MFA secrets at rest", () => {
  let deps: AppDeps;
  let server: TestServer;
  let rest: ReturnType<typeof restClient>;
  beforeAll(async () => {
    deps = await testDeps({ RATE_LIMIT_REGISTER_IP: "1000/3600" });
    server = await startTestServer(deps);
    rest = restClient(server.url);
  });
  afterAll(() => server.stop());

  async function enrolled() {
    const email = uniqueEmail("rest");
    const { body } = await rest("POST", "/auth/register", {
      body: { email, password: TEST_PASSWORD, name: "At Rest" },
    });
    const setup = await rest("POST", "/auth/mfa/totp/setup", { token: body.token });
    const confirm = await rest("POST", "/auth/mfa/totp/confirm", {
      token: body.token,
      body: { code: totpCode(setup.body.secret) },
    });
    return {
      email,
      id: body.user.id as string,
      secret: setup.body.secret as string,
      codes: confirm.body.recoveryCodes as string[],
    };
  }

  it("issues recovery codes of 120 bits, stored as keyed MACs, accepted however they are typed", async () => {
    const { email, id, codes } = await enrolled();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/);
    const stored = await deps.db
      .select({ codeHash: recoveryCodes.codeHash })
      .from(recoveryCodes)
      .where(eq(recoveryCodes.userId, id));
    const sha256 = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex");
    for (const code of codes) {
      const hashes = stored.map((row) => row.codeHash);
      expect(hashes).not.toContain(sha256(code));
      expect(hashes).not.toContain(sha256(code.replaceAll("-", "")));
    }
    const pending = (await rest("POST", "/auth/login", { body: { email, password: TEST_PASSWORD } })).body
      .token;
    const typed = (codes[0] ?? "").toLowerCase().replaceAll("-", " ");
    const used = await rest("POST", "/auth/mfa/verify", { token: pending, body: { recoveryCode: typed } });
    expect(used).toMatchObject({ status: 200, body: { method: "recovery_code" } });
  });

  it("binds a sealed authenticator key to its user: copied onto another account it opens nothing", async () => {
    const attacker = await enrolled();
    const victim = await enrolled();
    const [sealed] = await deps.db
      .select({ totpKey: users.totpKey })
      .from(users)
      .where(eq(users.id, attacker.id));
    await deps.db
      .update(users)
      .set({ totpKey: sealed?.totpKey, totpLastStep: null })
      .where(eq(users.id, victim.id));
    const pending = (
      await rest("POST", "/auth/login", { body: { email: victim.email, password: TEST_PASSWORD } })
    ).body.token;
    const answer = await rest("POST", "/auth/mfa/verify", {
      token: pending,
      body: { code: totpCode(attacker.secret, Date.now(), 1) },
    });
    expect(answer).toMatchObject({ status: 400, body: { code: "INVALID_CODE" } });
    expect((await rest("GET", "/profile", { token: pending })).status).toBe(403);
  });
});

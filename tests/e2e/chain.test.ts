import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { parseSiweMessage } from "viem/siwe";
import { useTestChain } from "../helpers/anvil";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { type ChainApp, startChainApp } from "../helpers/chain";
import { TEST_METRICS_TOKEN } from "../helpers/keys";
import { restClient } from "../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

function rest(
  server: TestServer,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
) {
  return restClient(server.url)(method, path, options);
}

async function signUp(server: TestServer): Promise<string> {
  const { status, body } = await rest(server, "POST", "/auth/register", {
    body: { email: uniqueEmail("chain"), password: TEST_PASSWORD, name: "Chain User" },
  });
  expect(status).toBe(200);
  return body.token;
}

const someAddress = "0x52908400098527886E0F7030069857D2E4169EE7";

describe("without a chain configured", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(await testDeps());
  });
  afterAll(() => server.stop());

  test("every chain route answers 503 CHAIN_UNAVAILABLE with the reason; bad input is still a 400", async () => {
    const token = await signUp(server);
    const answers = [
      await rest(server, "GET", `/chain/score/${someAddress}`),
      await rest(server, "GET", "/chain/transactions", { token }),
      await rest(server, "POST", "/chain/verify", { token, body: { scoreId: "s-1" } }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.body.code).toBe("CHAIN_UNAVAILABLE");
      expect(answer.body.message).toContain("CHAIN_RPC_URL");
    }
    expect((await rest(server, "GET", "/chain/score/0x1234")).status).toBe(400);
    expect((await rest(server, "GET", "/chain/transactions")).status).toBe(401);
  });

  test("health reports the chain as not configured", async () => {
    const { status, body } = await rest(server, "GET", "/health");
    expect(status).toBe(200);
    expect(body.checks.blockchain).toEqual({ status: "not_configured" });
  });

  test("wallet linking works without a chain, over REST, with chain id 1", async () => {
    const token = await signUp(server);
    const wallet = privateKeyToAccount(generatePrivateKey());
    const challenge = await rest(server, "POST", "/wallet/challenge", {
      token,
      body: { address: wallet.address },
    });
    expect(challenge.status).toBe(200);
    expect(parseSiweMessage(challenge.body.message).chainId).toBe(1);
    const signature = await wallet.signMessage({ message: challenge.body.message });
    const linked = await rest(server, "POST", "/wallet/link", {
      token,
      body: { message: challenge.body.message, signature },
    });
    expect(linked).toMatchObject({ status: 200, body: { address: wallet.address, anchorConsent: true } });
    const replay = await rest(server, "POST", "/wallet/link", {
      token,
      body: { message: challenge.body.message, signature },
    });
    expect(replay).toMatchObject({ status: 400, body: { code: "SIWE_CHALLENGE_USED" } });
    expect((await rest(server, "DELETE", "/wallet", { token })).status).toBe(200);
    expect((await rest(server, "GET", "/wallet", { token })).body.address).toBeNull();
  });

  test("the OpenAPI document describes the wallet and chain routes", async () => {
    const { body } = await rest(server, "GET", "/openapi.json");
    expect(body.paths["/chain/score/{address}"].get.security).toEqual([]);
    expect(body.paths["/chain/transactions"].get.security).toBeDefined();
    expect(body.paths["/chain/verify"].post).toBeDefined();
    expect(body.paths["/wallet/link"].post.security).toBeDefined();
    expect(body.paths["/wallet"].delete).toBeDefined();
  });
});

describe("with a chain", () => {
  const chain = useTestChain();
  let app: ChainApp;
  let server: TestServer;
  beforeAll(async () => {
    app = await startChainApp(chain());
    server = await startTestServer(app.deps);
  });
  afterAll(async () => {
    await server?.stop();
    await app?.stop();
  });

  test("health reports the node, its chain id, the signer's balance and both contracts to an operator", async () => {
    const { body } = await rest(server, "GET", "/health", { token: TEST_METRICS_TOKEN });
    expect(body.checks.blockchain).toMatchObject({
      status: "ok",
      info: {
        reachable: true,
        chainId: 31337,
        signerAddress: chain().clients.account.address,
        scoreRegistryFound: true,
        loanRegistryFound: true,
      },
    });
    expect(BigInt(body.checks.blockchain.info.signerBalanceWei)).toBeGreaterThan(0n);
    expect(JSON.stringify(body)).not.toContain(chain().env.CHAIN_SIGNER_KEY.slice(2));
  });

  test("the public score route reads the registry: no score yet is null", async () => {
    const { status, body } = await rest(server, "GET", `/chain/score/${someAddress}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ address: someAddress, score: null });
    expect(body.subject).toMatch(/^0x0{24}52908400098527886e0f7030069857d2e4169ee7$/);
  });

  test("a stopped node: reads answer an error, not a hang, and health says degraded at once after that failure", async () => {
    await chain().anvil.stop();
    const startedAt = performance.now();
    expect(await rest(server, "GET", `/chain/score/${someAddress}`)).toMatchObject({
      status: 503,
      body: { code: "CHAIN_UNREACHABLE" },
    });
    const { body } = await rest(server, "GET", "/health", { token: TEST_METRICS_TOKEN });
    expect(performance.now() - startedAt).toBeLessThan(5_000);
    expect(body.status).toBe("degraded");
    expect(body.checks.blockchain).toMatchObject({ status: "error", info: { reachable: false } });
    expect(body.checks.blockchain.detail).toBeString();
  });
});

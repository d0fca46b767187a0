import { describe, expect, test } from "bun:test";
import { createChainService } from "../../../server/chain/connection";
import { ConfigError, loadConfig } from "../../../server/config";
import { siweSettings } from "../../../server/wallet/link";

const chainEnv = {
  CHAIN_RPC_URL: "http://127.0.0.1:8545",
  CHAIN_ID: "31337",
  CHAIN_SIGNER_KEY: `0x${"ab".repeat(32)}`,
  SCORE_REGISTRY_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  LOAN_REGISTRY_ADDRESS: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
};

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("chain configuration", () => {
  test("none of it: no chain service, jobs on, SIWE defaults from the server's address and chain id 1", () => {
    const config = loadConfig({ PORT: "8080" });
    expect(createChainService(config)).toBeNull();
    expect(config).toMatchObject({ JOBS_ENABLED: true, CHAIN_CONFIRMATIONS: 1 });
    expect(siweSettings(config)).toEqual({
      domain: "localhost:8080",
      uri: "http://localhost:8080",
      chainId: 1,
      ttlMs: 300_000,
    });
  });

  test("all of it: a chain service whose publish queue is per chain and signer", () => {
    const config = loadConfig({ ...chainEnv, CHAIN_CONFIRMATIONS: "3", JOBS_ENABLED: "false" });
    const chain = createChainService(config);
    expect(chain?.chainId).toBe(31337);
    expect(chain?.send.confirmations).toBe(3);
    expect(chain?.publishQueue).toBe(`chain-publish.31337.${chain?.clients.account.address.toLowerCase()}`);
    expect(config.JOBS_ENABLED).toBe(false);
    expect(siweSettings(config).chainId).toBe(31337);
  });

  test("part of it is a start-up error naming each missing variable", () => {
    const message = configError({ CHAIN_RPC_URL: chainEnv.CHAIN_RPC_URL, CHAIN_ID: "31337" });
    for (const name of ["CHAIN_SIGNER_KEY", "SCORE_REGISTRY_ADDRESS", "LOAN_REGISTRY_ADDRESS"]) {
      expect(message).toContain(`${name}: required`);
    }
    expect(message).not.toContain("CHAIN_RPC_URL: required");
  });

  test("a malformed value is named, and a key is never echoed", () => {
    const badKey = `0x${"cd".repeat(31)}`;
    const message = configError({ ...chainEnv, CHAIN_SIGNER_KEY: badKey, LOAN_REGISTRY_ADDRESS: "0x1234" });
    expect(message).toContain("CHAIN_SIGNER_KEY: must be 0x followed by 64 hex digits");
    expect(message).toContain("LOAN_REGISTRY_ADDRESS: must be an address");
    expect(message).not.toContain(badKey.slice(2, 20));
    expect(configError({ ...chainEnv, CHAIN_RPC_URL: "ws://127.0.0.1:8545" })).toContain("CHAIN_RPC_URL");
  });
});

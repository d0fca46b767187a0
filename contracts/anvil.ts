import { existsSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Subprocess } from "bun";
import type { Address, Hex } from "viem";

/** Anvil's default dev accounts (mnemonic "test test … junk"): public, well-known test keys. */
export const anvilAccounts: readonly { address: Address; privateKey: Hex }[] = [
  {
    address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    privateKey: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  },
  {
    address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    privateKey: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  },
  {
    address: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    privateKey: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  },
  {
    address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    privateKey: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  },
  {
    address: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    privateKey: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  },
  {
    address: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    privateKey: "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  },
  {
    address: "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
    privateKey: "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  },
  {
    address: "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    privateKey: "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  },
  {
    address: "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
    privateKey: "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  },
  {
    address: "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
    privateKey: "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
  },
];

export type AnvilOptions = {
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  chainId?: number;
  /** Seconds between blocks (interval mining); automine (a block per transaction) when omitted. */
  blockTime?: number;
  /**
   * File the node loads its state from at start (when it exists) and dumps it to on stop
   * (`anvil --state`). A temporary file is used when omitted, so `restartAnvil` always keeps state.
   */
  statePath?: string;
  /** Milliseconds to wait for the node to answer `eth_chainId`. */
  startTimeoutMs?: number;
};

export type AnvilNode = {
  rpcUrl: string;
  port: number;
  chainId: number;
  statePath: string;
  accounts: typeof anvilAccounts;
  /** The options the node was started with (port and state file resolved), for `restartAnvil`. */
  options: Required<Pick<AnvilOptions, "port" | "chainId" | "statePath">> & AnvilOptions;
  /** Stops the node (SIGTERM, which makes Anvil dump its state); resolves once the process exited. */
  stop(): Promise<void>;
  /** Resolves with the exit code when the process ends, whoever ended it. */
  exited: Promise<number>;
};

/** The Anvil binary from the `@foundry-rs/anvil-<platform>-<arch>` package, else `anvil` on PATH. */
export function anvilBinaryPath(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const binary = process.platform === "win32" ? "anvil.exe" : "anvil";
  try {
    const require = createRequire(import.meta.url);
    const path = join(dirname(require.resolve(`${platformPackage}/package.json`)), "bin", binary);
    if (existsSync(path)) return path;
  } catch {
    // not installed for this platform: fall back to PATH
  }
  const onPath = Bun.which("anvil");
  if (onPath) return onPath;
  throw new Error(`Anvil not found: install ${platformPackage} (bun install) or put anvil on PATH`);
}

/** Whether nothing listens on 127.0.0.1:`port` right now. */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/** Starts Anvil and resolves once it answers `eth_chainId`. */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilNode> {
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await spawnAnvil({ ...options, port });
    } catch (error) {
      // A picked port can be taken between freePort() and Anvil binding it: try another.
      lastError = error;
    }
  }
  throw lastError;
}

/** Starts a stopped node again on the same port, from the state it dumped when it stopped. */
export async function restartAnvil(previous: AnvilNode): Promise<AnvilNode> {
  await previous.stop();
  return spawnAnvil(previous.options);
}

async function spawnAnvil(options: AnvilOptions & { port: number }): Promise<AnvilNode> {
  const chainId = options.chainId ?? 31337;
  // Otherwise a node already listening there would answer the readiness check in our child's place.
  if (!(await isPortFree(options.port))) throw new Error(`port ${options.port} is already in use`);
  const statePath = options.statePath ?? join(mkdtempSync(join(tmpdir(), "anvil-")), "state.json");
  const args = ["--port", String(options.port), "--chain-id", String(chainId), "--silent"];
  // --preserve-historical-states keeps old blocks' state across a restart (nonce-at-block reads need it).
  args.push("--state", statePath, "--preserve-historical-states");
  if (options.blockTime !== undefined) args.push("--block-time", String(options.blockTime));

  const child = Bun.spawn([anvilBinaryPath(), ...args], { stdout: "ignore", stderr: "pipe" });
  const rpcUrl = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilReady(child, rpcUrl, chainId, options.startTimeoutMs ?? 15_000);
  } catch (error) {
    child.kill("SIGKILL");
    await child.exited;
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= terminate(child);
    return stopping;
  };
  return {
    rpcUrl,
    port: options.port,
    chainId,
    statePath,
    accounts: anvilAccounts,
    options: { ...options, chainId, statePath },
    stop,
    exited: child.exited,
  };
}

async function waitUntilReady(child: Subprocess, rpcUrl: string, chainId: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const stderr = child.stderr instanceof ReadableStream ? await new Response(child.stderr).text() : "";
      throw new Error(`anvil exited with ${child.exitCode ?? child.signalCode}: ${stderr.trim()}`);
    }
    try {
      const response = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
        signal: AbortSignal.timeout(500),
      });
      const body = (await response.json()) as { result?: string };
      if (body.result !== undefined && Number(body.result) === chainId) return;
      if (body.result !== undefined) {
        throw new Error(`port ${rpcUrl} answers chain id ${Number(body.result)}, not ${chainId}`);
      }
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("port ")) throw error;
      // not listening yet
    }
    await Bun.sleep(25);
  }
  throw new Error(`anvil did not answer on ${rpcUrl} within ${timeoutMs} ms`);
}

async function terminate(child: Subprocess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(5_000).then(() => false)]);
  if (!exited) {
    child.kill("SIGKILL");
    await child.exited;
  }
}

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { connect, type Socket } from "node:net";
import { startTestServer, type TestServer, testDeps } from "../../helpers/app";

const TWO_MB = 2 * 1024 * 1024;
let server: TestServer;
let port: number;

beforeAll(async () => {
  server = await startTestServer(await testDeps());
  port = Number(new URL(server.url).port);
});
afterAll(() => server.stop());

/**
 * A raw HTTP/1.1 client: writes the head, then (unless told to wait for the server's answer first) the body in
 * 64 KiB pieces as fast as the socket takes them, and collects everything the server sends until it closes.
 * A write that fails (EPIPE, ECONNRESET) is recorded: that is the broken pipe a client must not get.
 */
function rawRequest(head: string, body: Buffer | null, options: { chunked?: boolean } = {}) {
  return new Promise<{ response: string; writeError: string | null }>((resolve, reject) => {
    const socket: Socket = connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    let writeError: string | null = null;
    socket.on("data", (data: Buffer) => received.push(data));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      writeError = error.code ?? error.message;
    });
    socket.on("close", () => resolve({ response: Buffer.concat(received).toString("utf8"), writeError }));
    socket.setTimeout(20_000, () => {
      socket.destroy();
      reject(new Error("no answer within 20 s"));
    });
    socket.on("connect", async () => {
      socket.write(head);
      if (!body) return;
      for (let offset = 0; offset < body.length && !socket.destroyed; offset += 65_536) {
        const piece = body.subarray(offset, offset + 65_536);
        const framed = options.chunked
          ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")])
          : piece;
        if (!socket.write(framed)) await new Promise((drained) => socket.once("drain", drained));
      }
      if (options.chunked && !socket.destroyed) socket.write("0\r\n\r\n");
      socket.end();
    });
  });
}

function expect413(response: string) {
  const [head = "", json = ""] = response.split("\r\n\r\n");
  expect(head).toStartWith("HTTP/1.1 413");
  expect(head.toLowerCase()).toContain("content-type: application/json");
  expect(JSON.parse(json)).toEqual({
    code: "PAYLOAD_TOO_LARGE",
    message: "Request body exceeds 100000 bytes",
  });
}

describe("a 2 MB body", () => {
  const body = Buffer.alloc(TWO_MB, "x");

  it("sent with its Content-Length reads a 413 with the JSON error, not a reset", async () => {
    const { response, writeError } = await rawRequest(
      `POST /api/auth/register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${TWO_MB}\r\n\r\n`,
      body,
    );
    expect(writeError).toBeNull();
    expect413(response);
  });

  it("sent chunked, without a length, reads the same 413", async () => {
    const { response, writeError } = await rawRequest(
      "POST /api/profile HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
      body,
      { chunked: true },
    );
    expect(writeError).toBeNull();
    expect413(response);
  });

  it("announced with Expect: 100-continue, then sent, reads the 413 too", async () => {
    // Bun answers 100 Continue on its own as soon as the head arrives, so the client goes on and sends the body.
    const { response, writeError } = await rawRequest(
      `POST /trpc/auth.register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${TWO_MB}\r\nExpect: 100-continue\r\n\r\n`,
      body,
    );
    expect(writeError).toBeNull();
    expect413(response.replace("HTTP/1.1 100 Continue\r\n\r\n", ""));
  });

  it("through fetch, as a browser or Node client sends it, reads the 413 and its reason", async () => {
    const answer = await fetch(`${server.url}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });
});

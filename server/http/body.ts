const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * How much of an oversized body is read and thrown away so the client can read the 413: a client still sending
 * when the server closes gets a reset and never sees the answer. Past this, the connection is closed anyway.
 */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

export class PayloadTooLargeError extends Error {
  override name = "PayloadTooLargeError";
}

/**
 * Buffers the body up to `limit` bytes, so no handler ever reads more, and hands back an equivalent request.
 * Streams without a Content-Length are counted as they arrive. An oversized body is drained (see
 * `drainBody`) before PayloadTooLargeError is thrown.
 */
export async function limitBody(
  request: Request,
  limit: number,
): Promise<{ request: Request; body: string }> {
  if (!METHODS_WITH_BODY.has(request.method) || !request.body) return { request, body: "" };
  const tooLarge = () => new PayloadTooLargeError(`Request body exceeds ${limit} bytes`);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) {
    // Bun answers `Expect: 100-continue` itself before the app sees the request, so even a client that asked
    // first sends its body: drain it too.
    if (declared <= Math.max(DRAIN_LIMIT_BYTES, limit)) await drainBody(request.body.getReader(), declared);
    throw tooLarge();
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await drainBody(reader, Math.max(DRAIN_LIMIT_BYTES, limit) - size);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = Buffer.concat(chunks).toString("utf8");
  return {
    request: new Request(request.url, { method: request.method, headers: request.headers, body }),
    body,
  };
}

/**
 * Reads and discards up to `budget` more bytes, then lets the stream go. A body that fits is read to its end,
 * so the 413 reaches a client that sends the whole body before reading; a larger one is cut off.
 */
async function drainBody(reader: ReadableStreamDefaultReader<Uint8Array>, budget: number): Promise<void> {
  let left = budget;
  try {
    while (left > 0) {
      const { done, value } = await reader.read();
      if (done) return;
      left -= value.byteLength;
    }
    await reader.cancel();
  } catch {} // the client went away: nobody is left to answer
}

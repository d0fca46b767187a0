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
 * Reads the body as text, at most `limit` bytes, so no handler ever reads more. A declared Content-Length within
 * the limit is read at once (the HTTP framing holds the body to it); streams without one are counted as they
 * arrive. An oversized body is drained (see `drainBody`) before PayloadTooLargeError is thrown.
 */
export async function limitBody(request: Request, limit: number): Promise<string> {
  if (!METHODS_WITH_BODY.has(request.method) || !request.body) return "";
  const tooLarge = () => new PayloadTooLargeError(`Request body exceeds ${limit} bytes`);
  const length = request.headers.get("content-length");
  const declared = Number(length ?? "0");
  if (length !== null && declared <= limit) return request.text();
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
  return Buffer.concat(chunks).toString("utf8");
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

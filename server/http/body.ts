const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class PayloadTooLargeError extends Error {
  override name = "PayloadTooLargeError";
}

/**
 * Buffers the body up to `limit` bytes, so no handler ever reads more, and hands back an equivalent request.
 * Streams without a Content-Length are counted as they arrive.
 */
export async function limitBody(
  request: Request,
  limit: number,
): Promise<{ request: Request; body: string }> {
  if (!METHODS_WITH_BODY.has(request.method) || !request.body) return { request, body: "" };
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new PayloadTooLargeError(`Request body exceeds ${limit} bytes`);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new PayloadTooLargeError(`Request body exceeds ${limit} bytes`);
    }
    chunks.push(value);
  }
  const body = Buffer.concat(chunks).toString("utf8");
  return {
    request: new Request(request.url, { method: request.method, headers: request.headers, body }),
    body,
  };
}

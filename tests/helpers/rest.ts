/** A small REST client for end-to-end tests: JSON in, parsed JSON and headers out. */
// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON a route answers and assert on it.
export type RestResponse = { status: number; headers: Headers; body: any };

export function restClient(baseUrl: string) {
  return async function rest(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<RestResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const response = await fetch(`${baseUrl}/api${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  };
}

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";

/**
 * Behind a proxy the Host header is whatever the upstream is called: compose services are often `api`, `bs` or
 * `app`. Every route must be found whatever the Host, short or long, with or without a port.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer(await testDeps());
});
afterAll(async () => {
  await server.stop();
});

const hosts = [
  "api",
  "bs",
  "app",
  "a",
  "apis",
  "blockscore.example.com",
  "localhost:3000",
  "[::1]:8080",
  "10.0.0.7",
];

describe.each(hosts)("with Host: %s", (host) => {
  const get = (path: string) => fetch(`${server.url}${path}`, { headers: { host } });

  it("serves the REST health route", async () => {
    const response = await get("/api/health");
    expect(response.status).toBe(200);
    expect((await response.json()).status).toBeDefined();
  });

  it("serves a REST route with a path parameter (401 without a session, not 404)", async () => {
    const response = await get(`/api/loans/${crypto.randomUUID()}`);
    expect(response.status).toBe(401);
  });

  it("serves REST routes with a query string", async () => {
    const response = await get("/api/credit/model?format=json");
    expect(response.status).toBe(200);
  });

  it("serves tRPC", async () => {
    const response = await get("/trpc/health.check");
    expect(response.status).toBe(200);
  });

  it("serves the OpenAPI document and its reader", async () => {
    expect((await get("/api/openapi.json")).status).toBe(200);
    expect((await get("/docs")).status).toBe(200);
  });

  it("still answers 404 with the error shape for a path that does not exist", async () => {
    const response = await get("/api/no-such-route");
    expect(response.status).toBe(404);
    expect((await response.json()).code).toBe("NOT_FOUND");
  });
});

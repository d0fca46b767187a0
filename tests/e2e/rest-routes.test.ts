import { beforeAll, describe, expect, it } from "bun:test";
import { createApp } from "../../server/app";
import { openApiDocument } from "../../server/http/openapi";
import { testDeps } from "../helpers/app";

/** The route table generated from the procedures' OpenAPI metadata keeps trpc-to-openapi's request contract. */
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  app = createApp(await testDeps());
});

async function call(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
) {
  const response = await app.handle(
    new Request(`http://127.0.0.1/api${path}`, { method, headers: init.headers, body: init.body }),
  );
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : null };
}

const json = { "content-type": "application/json" };

describe("the REST route table", () => {
  it("routes every operation of the OpenAPI document to its procedure", async () => {
    const document = openApiDocument({ SESSION_COOKIE_NAME: "bs_session" });
    const operations = Object.entries(document.paths ?? {}).flatMap(([template, item]) =>
      Object.keys(item ?? {}).map((method) => ({
        method: method.toUpperCase(),
        path: template.replace(/\{[^}]+\}/g, "00000000-0000-4000-8000-000000000000"),
      })),
    );
    expect(operations.length).toBeGreaterThan(50);
    for (const { method, path } of operations) {
      const hasBody = method !== "GET" && method !== "DELETE";
      const answer = await call(method, path, hasBody ? { headers: json, body: "{}" } : {});
      // The router's own 404 says "Not found"; a procedure's not-found names what it looked for.
      expect({ method, path, message: answer.body?.message }).not.toEqual({
        method,
        path,
        message: "Not found",
      });
      expect(answer.headers.get("content-type")).toBe("application/json");
    }
  });

  it("matches paths in any letter case and with a trailing slash", async () => {
    for (const path of ["/health", "/HEALTH", "/health/"]) {
      const answer = await call("GET", path);
      expect(answer.status).toBe(200);
      expect(answer.body.status).toBeDefined();
    }
    expect((await call("GET", "/Profile/")).body.code).toBe("UNAUTHENTICATED");
  });

  it("answers an unknown path or method with 404 NOT_FOUND, and HEAD with an empty 204", async () => {
    expect(await call("GET", "/no-such-operation")).toMatchObject({
      status: 404,
      body: { code: "NOT_FOUND", message: "Not found" },
    });
    expect((await call("PUT", "/profile", { headers: json, body: "{}" })).status).toBe(404);
    const head = await call("HEAD", "/health");
    expect(head.status).toBe(204);
    expect(head.text).toBe("");
  });

  it("takes a JSON body only: 415 for another type or none, 400 PARSE_ERROR for broken JSON", async () => {
    expect(
      await call("POST", "/auth/login", { headers: { "content-type": "text/plain" }, body: "x" }),
    ).toMatchObject({ status: 415, body: { code: "UNSUPPORTED_MEDIA_TYPE" } });
    expect(await call("POST", "/auth/login", { body: "x" })).toMatchObject({
      status: 415,
      body: { code: "UNSUPPORTED_MEDIA_TYPE", message: "Missing content-type header" },
    });
    expect(await call("POST", "/auth/login", { headers: json, body: "{broken" })).toMatchObject({
      status: 400,
      body: { code: "PARSE_ERROR" },
    });
  });

  it("reads a POST without body or content type as an empty object, so its input is validated", async () => {
    const answer = await call("POST", "/auth/login");
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe("Input validation failed");
    expect(answer.body.issues.map((issue: { path: string[] }) => issue.path[0])).toContain("email");
  });
});

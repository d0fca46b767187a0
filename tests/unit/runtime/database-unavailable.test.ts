import { describe, expect, it } from "bun:test";
import { DatabaseTimeoutError, isDatabaseUnavailable, withDeadline } from "../../../db/unavailable";
import { domainErrorOf, errorHeaders } from "../../../server/http/error-body";

const coded = (code: string, message = "failed") => Object.assign(new Error(message), { code });

describe("a lost database, told apart from a failing statement", () => {
  it("counts refused and reset connections, a stopping or starting server, and a passed deadline", () => {
    for (const code of [
      "ECONNREFUSED",
      "ECONNRESET",
      "CONNECTION_CLOSED",
      "CONNECTION_ENDED",
      "CONNECT_TIMEOUT",
    ])
      expect(isDatabaseUnavailable(coded(code))).toBe(true);
    for (const sqlstate of ["57P01", "57P02", "57P03", "08006", "08001"])
      expect(isDatabaseUnavailable(coded(sqlstate))).toBe(true);
    expect(isDatabaseUnavailable(new DatabaseTimeoutError(5000))).toBe(true);
  });

  it("finds the cause under the wrappers drizzle and tRPC put around it", () => {
    const wrapped = new Error("Failed query: select 1", { cause: coded("ECONNREFUSED") });
    expect(isDatabaseUnavailable(new Error("procedure failed", { cause: wrapped }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([coded("ECONNREFUSED")]))).toBe(true);
  });

  it("leaves a bad statement, a constraint or a bug alone (those stay 4xx or 500)", () => {
    for (const code of ["23505", "42P01", "22P02", "40001"])
      expect(isDatabaseUnavailable(coded(code))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isDatabaseUnavailable("ECONNREFUSED")).toBe(false);
  });

  it("answers it as 503 DATABASE_UNAVAILABLE with Retry-After", () => {
    const domain = domainErrorOf(new Error("Failed query", { cause: coded("57P01") }));
    expect(domain).toMatchObject({ kind: "unavailable", code: "DATABASE_UNAVAILABLE" });
    expect(errorHeaders(domain)).toEqual({ "Retry-After": "5" });
    expect(domainErrorOf(new TypeError("bug"))).toBeNull();
  });

  it("stops waiting at the deadline, and passes an answer that comes before it", async () => {
    await expect(withDeadline(new Promise(() => {}), 20)).rejects.toBeInstanceOf(DatabaseTimeoutError);
    await expect(withDeadline(Promise.resolve(7), 1000)).resolves.toBe(7);
  });
});

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { artifactsPath, compileContracts } from "../../../contracts/compile.ts";

describe("contract artifacts", () => {
  test("contracts/artifacts.ts is what `bun run contracts:build` makes from the current sources", () => {
    const committed = readFileSync(artifactsPath, "utf8");
    const { fileContents } = compileContracts();
    if (committed !== fileContents) {
      throw new Error("contracts/artifacts.ts is stale: run `bun run contracts:build` and commit it");
    }
    expect(committed).toBe(fileContents);
  });
});

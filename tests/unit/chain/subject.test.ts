import { describe, expect, test } from "bun:test";
import { keccak256, stringToHex } from "viem";
import {
  canonicalJson,
  generateSalt,
  loanIdHash,
  scoreRecordHash,
  subjectForUser,
  subjectForWallet,
} from "../../../server/chain/subject.ts";

const salt = "0123456789abcdef0123456789abcdef";

describe("subjects", () => {
  test("a wallet's subject is its address left-padded to 32 bytes, whatever the case", () => {
    const subject = subjectForWallet("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    expect(subject).toBe("0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    expect(subjectForWallet("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")).toBe(subject);
    expect(() => subjectForWallet("0x1234")).toThrow("not an address");
  });

  test("a user's subject depends on the salt and is not the plain hash of the id", () => {
    const subject = subjectForUser("user-1", salt);
    expect(subject).toMatch(/^0x[0-9a-f]{64}$/);
    expect(subjectForUser("user-1", salt)).toBe(subject);
    expect(subjectForUser("user-1", `${salt}x`)).not.toBe(subject);
    expect(subject).not.toBe(keccak256(stringToHex("user-1")));
    expect(loanIdHash("user-1", salt)).not.toBe(subject);
  });

  test("a short salt is refused", () => {
    expect(() => subjectForUser("user-1", "short")).toThrow("at least 16");
  });
});

describe("score record hash", () => {
  test("canonical JSON sorts keys at every level and normalises dates and bigints", () => {
    const at = new Date("2025-01-02T03:04:05.000Z");
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: at }, e: 10n, f: undefined })).toBe(
      '{"a":{"c":"2025-01-02T03:04:05.000Z","d":[2,{"x":0,"y":1}]},"b":1,"e":"10"}',
    );
    expect(() => canonicalJson({ a: Number.NaN })).toThrow("non-finite");
  });

  test("the hash ignores key order but changes with any value or the salt", () => {
    const record = { userId: "u1", score: 712, modelVersion: "scorecard-v1", reasons: ["R1", "R2"] };
    const hash = scoreRecordHash(record, salt);
    expect(
      scoreRecordHash(
        { reasons: ["R1", "R2"], modelVersion: "scorecard-v1", score: 712, userId: "u1" },
        salt,
      ),
    ).toBe(hash);
    expect(scoreRecordHash({ ...record, score: 713 }, salt)).not.toBe(hash);
    expect(scoreRecordHash(record, generateSalt())).not.toBe(hash);
  });

  test("random salts are 32 bytes and differ", () => {
    expect(generateSalt()).toMatch(/^0x[0-9a-f]{64}$/);
    expect(generateSalt()).not.toBe(generateSalt());
  });
});

import {
  type Address,
  bytesToHex,
  encodeAbiParameters,
  getAddress,
  type Hex,
  isAddress,
  keccak256,
  pad,
} from "viem";

const MIN_SALT_LENGTH = 16;

function assertSalt(salt: string): void {
  if (salt.length < MIN_SALT_LENGTH) {
    throw new Error(`a salt must have at least ${MIN_SALT_LENGTH} characters`);
  }
}

/** keccak256 of the ABI encoding of (domain tag, salt, value): unambiguous, unlike plain concatenation. */
function saltedHash(tag: string, salt: string, value: string): Hex {
  return keccak256(
    encodeAbiParameters([{ type: "string" }, { type: "string" }, { type: "string" }], [tag, salt, value]),
  );
}

/** A fresh 32-byte random salt (CSPRNG), as hex. Store it with the record it salts. */
export function generateSalt(): Hex {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** The subject of a linked wallet: its address left-padded to 32 bytes (lower case). */
export function subjectForWallet(address: string): Hex {
  if (!isAddress(address, { strict: false })) throw new Error(`not an address: ${address}`);
  return pad(getAddress(address).toLowerCase() as Address, { dir: "left", size: 32 });
}

/** The subject of a user with no linked wallet: a salted hash, so the id cannot be read or guessed. */
export function subjectForUser(userId: string, salt: string): Hex {
  assertSalt(salt);
  return saltedHash("blockscore.subject.v1", salt, userId);
}

/** A loan's id on chain: a salted hash of the platform's loan id. */
export function loanIdHash(loanId: string, salt: string): Hex {
  assertSalt(salt);
  return saltedHash("blockscore.loan.v1", salt, loanId);
}

export type JsonLike =
  | string
  | number
  | boolean
  | null
  | bigint
  | Date
  | undefined
  | readonly JsonLike[]
  | { readonly [key: string]: JsonLike };

/**
 * JSON with object keys sorted at every level and no whitespace. Dates become ISO strings and
 * bigints decimal strings; undefined object members are dropped. Non-finite numbers are refused.
 */
export function canonicalJson(value: JsonLike): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot hash a non-finite number: ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(",")}]`;
  const object = value as { readonly [key: string]: JsonLike };
  const members = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
  return `{${members.join(",")}}`;
}

/**
 * The hash anchored for a score record: salted, because a 300–850 score behind an unsalted hash is
 * found in a few hundred tries. Use a random salt per record (`generateSalt`) stored with it, and
 * hash the same field types every time (a Date and its ISO string hash alike; a number and its
 * string do not).
 */
export function scoreRecordHash(record: { readonly [key: string]: JsonLike }, salt: string): Hex {
  assertSalt(salt);
  return saltedHash("blockscore.score-record.v1", salt, canonicalJson(record));
}

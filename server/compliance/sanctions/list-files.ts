import { createHash } from "node:crypto";
import { parseCsv, parseSanctionsList } from "./ofac-csv";
import type { SanctionsEntry, SanctionsList } from "./types";

/**
 * A downloaded list must parse whole before it replaces the one in use: a truncated or malformed file is refused
 * (the old list stays), never read leniently, since a list missing its last rows would pass the people on them.
 * The file's role comes from its name, as OFAC publishes them: `SDN.CSV` / `CONS_PRIM.CSV` (12 fields),
 * `ALT.CSV` / `CONS_ALT.CSV` (aliases, 5), `ADD.CSV` / `CONS_ADD.CSV` (addresses, 6; checked, not screened),
 * `*COMMENTS.CSV` (remarks overflow, 2; checked, not screened).
 */

export type ListFile = { name: string; text: string };

export class MalformedListError extends Error {
  override name = "MalformedListError";
}

type Role = "primary" | "alias" | "address" | "comments";
const FIELDS: Record<Role, number> = { primary: 12, alias: 5, address: 6, comments: 2 };

export function fileRole(name: string): Role {
  const base = name.toLowerCase().replace(/^.*\//, "");
  if (base.includes("comment")) return "comments";
  if (base.includes("alt")) return "alias";
  if (base.includes("add")) return "address";
  return "primary";
}

/** Every row has exactly its file's field count and a numeric ent_num, or the whole download is refused. */
function checkRows(file: ListFile, role: Role): void {
  const rows = parseCsv(file.text);
  if (role === "primary" && rows.length === 0) throw new MalformedListError(`${file.name} has no rows`);
  const expected = FIELDS[role];
  rows.forEach((fields, index) => {
    if (fields.length !== expected) {
      throw new MalformedListError(
        `${file.name} row ${index + 1} has ${fields.length} fields, expected ${expected} (truncated or malformed)`,
      );
    }
    if (!/^\d+$/.test(fields[0]?.trim() ?? "")) {
      throw new MalformedListError(`${file.name} row ${index + 1} has no numeric ent_num`);
    }
  });
}

/** Parses a set of list files strictly into one list; throws {@link MalformedListError} on any bad row. */
export function parseListFiles(files: readonly ListFile[], loadedAt = new Date()): SanctionsList {
  const byRole = (role: Role) => files.filter((file) => fileRole(file.name) === role);
  const primaries = byRole("primary");
  if (primaries.length === 0) throw new MalformedListError("No SDN.CSV or CONS_PRIM.CSV among the files");
  for (const file of files) checkRows(file, fileRole(file.name));
  const list = parseSanctionsList(
    primaries.map((file) => file.text).join("\n"),
    byRole("alias")
      .map((file) => file.text)
      .join("\n") || null,
    loadedAt,
  );
  if (list.skippedRows > 0) {
    throw new MalformedListError(
      `${list.skippedRows} rows could not be read (an alias of an unknown entry?)`,
    );
  }
  return list;
}

/** Changes whenever anything screened or shown about the entry does. */
export function entryDigest(entry: SanctionsEntry): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        entry.name,
        entry.type,
        entry.programs,
        entry.aliases,
        entry.datesOfBirth,
        entry.remarks,
      ]),
    )
    .digest("hex");
}

/** The list's identity: equal entries in any row order give the same checksum. */
export function listChecksum(digests: ReadonlyMap<number, string>): string {
  const hash = createHash("sha256");
  for (const id of [...digests.keys()].sort((a, b) => a - b)) hash.update(`${id}:${digests.get(id)}\n`);
  return hash.digest("hex");
}

export type ListDiff = { added: number[]; changed: number[]; removed: number[] };

export function diffLists(
  previous: ReadonlyMap<number, string>,
  next: ReadonlyMap<number, string>,
): ListDiff {
  const added: number[] = [];
  const changed: number[] = [];
  for (const [id, digest] of next) {
    const before = previous.get(id);
    if (before === undefined) added.push(id);
    else if (before !== digest) changed.push(id);
  }
  const removed = [...previous.keys()].filter((id) => !next.has(id));
  return { added, changed, removed };
}

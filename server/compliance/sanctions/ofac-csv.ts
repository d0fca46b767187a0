import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { parseDatesOfBirth } from "./remarks";
import type { SanctionsEntry, SanctionsEntryType, SanctionsList } from "./types";

/**
 * Reader for OFAC's legacy SDN files (https://ofac.treasury.gov/sdn-list-data-formats-data-schemas):
 * `SDN.CSV` (ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag,
 * Vess_owner, Remarks) and `ALT.CSV` (ent_num, alt_num, alt_type, alt_name, alt_remarks). No header row;
 * text fields are double-quoted and may hold commas; `-0-` (usually followed by a space) means empty; the
 * files may end with a DOS end-of-file character (0x1A).
 */

const EMPTY = "-0-";
const [BOM, SPACE, TAB, QUOTE, COMMA, CR, LF, SUB] = [0xfeff, 0x20, 0x09, 0x22, 0x2c, 0x0d, 0x0a, 0x1a];

function isDelimiter(code: number): boolean {
  return code === COMMA || code === LF || code === CR || code === SUB;
}

/**
 * Splits CSV text into rows of trimmed fields. Besides RFC 4180 (`""` inside quotes is a quote, quoted
 * fields may span lines) it tolerates what OFAC's files contain in practice: spaces after a closing quote,
 * a stray quote inside a quoted field (taken literally unless a comma or line end follows it), CRLF or LF
 * line ends, a BOM, and the trailing 0x1A.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const n = text.length;
  let row: string[] = [];
  let i = text.charCodeAt(0) === BOM ? 1 : 0;

  while (i < n) {
    const start = i;
    while (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB) i++;
    if (text.charCodeAt(i) === QUOTE) {
      let field = "";
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close < 0) {
          field += text.slice(i);
          i = n;
          break;
        }
        field += text.slice(i, close);
        if (text.charCodeAt(close + 1) === QUOTE) {
          field += '"';
          i = close + 2;
          continue;
        }
        let after = close + 1;
        while (text.charCodeAt(after) === SPACE || text.charCodeAt(after) === TAB) after++;
        if (after >= n || isDelimiter(text.charCodeAt(after))) {
          i = after;
          break;
        }
        field += '"';
        i = close + 1;
      }
      row.push(field);
    } else {
      i = start;
      while (i < n && !isDelimiter(text.charCodeAt(i))) i++;
      row.push(text.slice(start, i).trim());
    }

    const delimiter = text.charCodeAt(i);
    if (delimiter === COMMA) {
      i++;
      if (i >= n) row.push("");
      continue;
    }
    if (row.length > 1 || row[0] !== "") rows.push(row);
    row = [];
    i += delimiter === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
  }
  if (row.length > 1 || (row.length === 1 && row[0] !== "")) rows.push(row);
  return rows;
}

function value(fields: string[], index: number): string | null {
  const raw = fields[index];
  if (raw === undefined) return null;
  const text = raw.trim();
  return text === "" || text === EMPTY ? null : text;
}

function entryType(raw: string | null): SanctionsEntryType {
  switch (raw?.toLowerCase()) {
    case "individual":
      return "individual";
    case "vessel":
      return "vessel";
    case "aircraft":
      return "aircraft";
    default:
      return "entity";
  }
}

/** `SDGT] [IRAN` (OFAC's way of listing several programs in one field) → `["SDGT", "IRAN"]`. */
export function parsePrograms(raw: string | null): string[] {
  if (!raw) return [];
  return raw
    .split(/\]\s*\[/)
    .map((program) => program.replace(/^\[|\]$/g, "").trim())
    .filter(Boolean);
}

function parseEntNum(raw: string | null): number | null {
  if (!raw || !/^\d+$/.test(raw)) return null;
  return Number(raw);
}

export function parseSanctionsList(
  sdnCsv: string,
  altCsv: string | null = null,
  loadedAt = new Date(),
): SanctionsList {
  const entries: SanctionsEntry[] = [];
  const byId = new Map<number, SanctionsEntry>();
  let skippedRows = 0;

  for (const fields of parseCsv(sdnCsv)) {
    const id = parseEntNum(value(fields, 0));
    const name = value(fields, 1);
    if (id === null || name === null) {
      skippedRows++;
      continue;
    }
    const remarks = value(fields, 11);
    const entry: SanctionsEntry = {
      id,
      name,
      type: entryType(value(fields, 2)),
      programs: parsePrograms(value(fields, 3)),
      aliases: [],
      datesOfBirth: parseDatesOfBirth(remarks),
      remarks,
    };
    const existing = byId.get(id);
    if (existing) {
      // A repeated ent_num replaces the earlier row, as a later release would.
      entries[entries.indexOf(existing)] = entry;
    } else {
      entries.push(entry);
    }
    byId.set(id, entry);
  }

  if (altCsv) {
    for (const fields of parseCsv(altCsv)) {
      const entry = byId.get(parseEntNum(value(fields, 0)) ?? -1);
      const alias = value(fields, 3);
      if (!entry || alias === null) {
        skippedRows++;
        continue;
      }
      if (!entry.aliases.includes(alias)) entry.aliases.push(alias);
    }
  }

  return { entries, count: entries.length, loadedAt, skippedRows };
}

/**
 * Reads `SDN.CSV` and, when present, `ALT.CSV` from `dir` (file names in any case, as OFAC publishes
 * `sdn.csv` while older mirrors use `SDN.CSV`). Throws when the folder or `SDN.CSV` is missing.
 */
export async function loadSanctionsList(dir: string): Promise<SanctionsList> {
  const files = await readdir(dir);
  const find = (name: string) => files.find((file) => file.toLowerCase() === name);
  const sdnFile = find("sdn.csv");
  if (!sdnFile) throw new Error(`No SDN.CSV in ${dir}`);
  const altFile = find("alt.csv");
  // The files are plain ASCII or UTF-8 in practice; Latin-1 bytes would decode to U+FFFD and only lose accents.
  const [sdnCsv, altCsv] = await Promise.all([
    Bun.file(join(dir, sdnFile)).text(),
    altFile ? Bun.file(join(dir, altFile)).text() : Promise.resolve(null),
  ]);
  return parseSanctionsList(sdnCsv, altCsv);
}

import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  diffLists,
  entryDigest,
  fileRole,
  listChecksum,
  MalformedListError,
  parseListFiles,
} from "../../../server/compliance/sanctions/list-files";

const fixtures = resolve(import.meta.dir, "../../../fixtures/sanctions");
const sdn = readFileSync(resolve(fixtures, "SDN.CSV"), "utf8");
const alt = readFileSync(resolve(fixtures, "ALT.CSV"), "utf8");
const ADD = '90001,70001,"Ulitsa Vymyshlennaya 1","Zelenogorsk","Russia",-0- \r\n';

describe("strict parsing of downloaded list files", () => {
  it("reads OFAC's files whole: entries with their aliases, addresses checked but not screened", () => {
    const list = parseListFiles([
      { name: "SDN.CSV", text: sdn },
      { name: "ALT.CSV", text: alt },
      { name: "ADD.CSV", text: ADD },
    ]);
    expect(list.count).toBe(22);
    expect(list.entries.find((entry) => entry.id === 90001)?.aliases).toContain("VORONTSEVICH, Arkadiy");
  });

  it("refuses a file cut in the middle of a row", () => {
    const cut = sdn.slice(0, sdn.indexOf("90010,") + 25);
    expect(() => parseListFiles([{ name: "SDN.CSV", text: cut }])).toThrow(MalformedListError);
    expect(() => parseListFiles([{ name: "SDN.CSV", text: cut }])).toThrow(
      /expected 12 \(truncated or malformed\)/,
    );
  });

  it("refuses a row without a numeric ent_num, an alias of an unknown entry, and a set without a primary file", () => {
    expect(() => parseListFiles([{ name: "SDN.CSV", text: `x${sdn}` }])).toThrow(/numeric ent_num/);
    const orphan = '99999,80099,"aka","NOBODY, Known",-0- \r\n';
    expect(() =>
      parseListFiles([
        { name: "SDN.CSV", text: sdn },
        { name: "ALT.CSV", text: orphan },
      ]),
    ).toThrow(/could not be read/);
    expect(() => parseListFiles([{ name: "ALT.CSV", text: alt }])).toThrow(/No SDN.CSV/);
  });

  it("tells the files apart by name, SDN and consolidated alike", () => {
    expect(
      ["SDN.CSV", "cons_prim.csv", "ALT.CSV", "CONS_ALT.CSV", "add.csv", "SDN_COMMENTS.CSV"].map(fileRole),
    ).toEqual(["primary", "primary", "alias", "alias", "address", "comments"]);
  });
});

describe("versions: checksum and differences", () => {
  const list = parseListFiles([{ name: "SDN.CSV", text: sdn }]);
  const digests = new Map(list.entries.map((entry) => [entry.id, entryDigest(entry)]));

  it("gives equal lists in any row order the same checksum", () => {
    const reversed = new Map([...digests].reverse());
    expect(listChecksum(reversed)).toBe(listChecksum(digests));
  });

  it("names the added, changed and removed entries", () => {
    const next = new Map(digests);
    next.delete(90001);
    next.set(90002, "changed");
    next.set(95000, "new");
    expect(diffLists(digests, next)).toEqual({ added: [95000], changed: [90002], removed: [90001] });
    expect(listChecksum(next)).not.toBe(listChecksum(digests));
  });
});

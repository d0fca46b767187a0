import { describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  loadSanctionsList,
  parseCsv,
  parsePrograms,
  parseSanctionsList,
} from "../../../server/compliance/sanctions/ofac-csv";
import { parseDatesOfBirth } from "../../../server/compliance/sanctions/remarks";

const FIXTURES = join(import.meta.dir, "../../../fixtures/sanctions");

describe("reading OFAC's CSV layout", () => {
  test("quoted fields keep their commas, and -0- with its trailing space is empty", () => {
    const rows = parseCsv(`173,"ANGLO-CARIBBEAN CO., LTD.",-0- ,"CUBA",-0- ,-0- \r\n`);
    expect(rows).toEqual([["173", "ANGLO-CARIBBEAN CO., LTD.", "-0-", "CUBA", "-0-", "-0-"]]);
  });

  test("doubled quotes, stray quotes, LF or CRLF line ends, a BOM and the trailing 0x1A are all read", () => {
    const text = `\uFEFF1,"say ""hi""",x\n2,"6'2"" tall, "quoted" word",y\r\n3,"a",b\r\n\u001a`;
    expect(parseCsv(text)).toEqual([
      ["1", 'say "hi"', "x"],
      ["2", '6\'2" tall, "quoted" word', "y"],
      ["3", "a", "b"],
    ]);
  });

  test("a quoted field may span lines", () => {
    expect(parseCsv(`1,"line one\r\nline two",z\r\n`)).toEqual([["1", "line one\r\nline two", "z"]]);
  });

  test("several programs in one field are split on '] ['", () => {
    expect(parsePrograms("SDGT] [IRGC] [IFSR")).toEqual(["SDGT", "IRGC", "IFSR"]);
    expect(parsePrograms("CYBER2")).toEqual(["CYBER2"]);
    expect(parsePrograms(null)).toEqual([]);
  });
});

describe("dates of birth in the remarks", () => {
  test("a full date becomes yyyy-mm-dd and alternative dates are kept", () => {
    expect(parseDatesOfBirth("DOB 14 Mar 1971; alt. DOB 02 Feb 1968; POB Somewhere.")).toEqual([
      "1971-03-14",
      "1968-02-02",
    ]);
  });

  test("a year, a circa year or a month and year give the year", () => {
    expect(parseDatesOfBirth("DOB 1971;")).toEqual(["1971"]);
    expect(parseDatesOfBirth("DOB circa 1962; POB Lebanon.")).toEqual(["1962"]);
    expect(parseDatesOfBirth("DOB Mar 1975; nationality Serbia.")).toEqual(["1975"]);
  });

  test("a range gives every year it covers", () => {
    expect(parseDatesOfBirth("DOB 14 Mar 1971 to 15 Mar 1972; nationality Iran.")).toEqual(["1971", "1972"]);
    expect(parseDatesOfBirth("DOB 1961 to 1963")).toEqual(["1961", "1962", "1963"]);
  });

  test("a last clause with its full stop, impossible dates and other clauses are handled", () => {
    expect(parseDatesOfBirth("Passport 123; DOB 01 Oct 1943.")).toEqual(["1943-10-01"]);
    expect(parseDatesOfBirth("DOB 31 Feb 1970; DOB unknown")).toEqual([]);
    expect(parseDatesOfBirth("Website example.invalid")).toEqual([]);
    expect(parseDatesOfBirth(null)).toEqual([]);
  });
});

describe("parseSanctionsList", () => {
  const sdn = [
    `36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `,
    `2676,"DOE-INVENTED, Jan",individual,"SDGT] [SDT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 19 Jun 1951; alt. DOB 1952."`,
    `4234,"HERMANN","vessel","CUBA",-0- ,"CL2685","General Cargo","2,597","1098","Cuba","Naviera Ficticia, S.A.",-0- `,
    `not-a-number,"BROKEN ROW",-0- ,"CUBA"`,
    "\u001a",
  ].join("\r\n");
  const alt = [
    `2676,4760,"aka","DOE, Johann",-0- `,
    `2676,4761,"fka","INVENTED, J.",-0- `,
    `99999,1,"aka","ORPHAN ALIAS",-0- `,
  ].join("\r\n");

  test("reads each entry's number, name, type, programs, dates of birth and aliases", () => {
    const list = parseSanctionsList(sdn, alt, new Date("2025-01-01T00:00:00Z"));
    expect(list.count).toBe(3);
    expect(list.loadedAt).toEqual(new Date("2025-01-01T00:00:00Z"));
    expect(list.entries[0]).toMatchObject({
      id: 36,
      type: "entity",
      programs: ["CUBA"],
      aliases: [],
      remarks: null,
    });
    expect(list.entries[1]).toEqual({
      id: 2676,
      name: "DOE-INVENTED, Jan",
      type: "individual",
      programs: ["SDGT", "SDT"],
      aliases: ["DOE, Johann", "INVENTED, J."],
      datesOfBirth: ["1951-06-19", "1952"],
      remarks: "DOB 19 Jun 1951; alt. DOB 1952.",
    });
    expect(list.entries[2]).toMatchObject({ id: 4234, name: "HERMANN", type: "vessel" });
  });

  test("rows without a numeric entity number and aliases of unknown entries are skipped and counted", () => {
    expect(parseSanctionsList(sdn, alt).skippedRows).toBe(2);
  });

  test("works without ALT.CSV", () => {
    expect(parseSanctionsList(sdn, null).entries[1]?.aliases).toEqual([]);
  });
});

describe("loadSanctionsList", () => {
  test("loads the shipped invented list from its folder", async () => {
    const list = await loadSanctionsList(FIXTURES);
    expect(list.count).toBe(22);
    expect(list.skippedRows).toBe(0);
    const types = new Set(list.entries.map((entry) => entry.type));
    expect(types).toEqual(new Set(["individual", "entity", "vessel", "aircraft"]));
    const vessel = list.entries.find((entry) => entry.id === 90201);
    expect(vessel?.programs).toEqual(["IRAN", "SDGT"]);
    const person = list.entries.find((entry) => entry.id === 90002);
    expect(person?.name).toBe("ÁLVAREZ QUINTANILLA, Ramón Esteban");
    expect(person?.datesOfBirth).toEqual(["1968-02-02", "1969"]);
    expect(person?.aliases).toEqual(["QUINTANILLA, Ramon", "EL ESTRATEGA"]);
  });

  test("finds the files whatever their case, and ALT.CSV is optional", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sanctions-"));
    try {
      await Bun.write(
        join(dir, "sdn.csv"),
        `1,"ONLY ENTRY",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n`,
      );
      const list = await loadSanctionsList(dir);
      expect(list.entries.map((entry) => entry.name)).toEqual(["ONLY ENTRY"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a folder without SDN.CSV is an error", async () => {
    await expect(loadSanctionsList(import.meta.dir)).rejects.toThrow("No SDN.CSV");
  });
});

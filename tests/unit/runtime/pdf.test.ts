import { describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PDFDocument } from "pdf-lib";
import { printable, textDocument } from "../../../server/pdf";

const hasPdftotext = Bun.which("pdftotext") !== null;

/** Each page's text lines, in reading order, as pdftotext reads them. */
function pagesOf(pdf: Uint8Array, pages: number): string[][] {
  const dir = mkdtempSync(join(tmpdir(), "pdf-"));
  try {
    writeFileSync(join(dir, "doc.pdf"), pdf);
    return Array.from({ length: pages }, (_, i) => {
      const page = String(i + 1);
      const run = Bun.spawnSync(["pdftotext", "-layout", "-f", page, "-l", page, join(dir, "doc.pdf"), "-"]);
      expect(run.exitCode).toBe(0);
      return run.stdout
        .toString()
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line && line !== "\f");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("printable", () => {
  it("keeps Latin-1, plains typographic marks, drops other accents and turns the rest into ?", () => {
    expect(printable("Zoë Müller – “quoted” … café")).toBe('Zoë Müller - "quoted" ... café');
    expect(printable("Łódź 王\nnext")).toBe("?ódz ?\nnext");
  });
});

describe("a text document", () => {
  it.skipIf(!hasPdftotext)(
    "starts a new page when one is full, every line on the page it belongs to",
    async () => {
      const doc = await textDocument({ title: "Lines" });
      doc.heading("Numbered lines");
      for (let i = 1; i <= 80; i++) doc.text(`line ${i}`);
      const pdf = await doc.save();
      const count = (await PDFDocument.load(pdf)).getPageCount();
      expect(count).toBe(2);
      const [first = [], second = []] = pagesOf(pdf, count);
      expect(first[0]).toBe("Numbered lines");
      const numbers = [...first.slice(1), ...second].map((line) => Number(line.replace("line ", "")));
      expect(numbers).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      expect(second[0]).toBe(`line ${first.length}`);
    },
  );

  it.skipIf(!hasPdftotext)("wraps by the font's widths and cuts cells that are too wide", async () => {
    const doc = await textDocument({ title: "Wrap" });
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
    doc.text(words);
    doc.text("x".repeat(200));
    doc.row([
      { text: "a cell far too long for its narrow column", x: 0, width: 60 },
      { text: "right", x: 100, width: 80, align: "right" },
    ]);
    const [lines = []] = pagesOf(await doc.save(), 1);
    const joined = lines.slice(0, -1).join(" ");
    expect(joined.split(/\s+/).slice(0, 60).join(" ")).toBe(words);
    expect(lines.length).toBeGreaterThan(4);
    expect(joined.replace(/\s+/g, "").split("word59")[1]).toBe("x".repeat(200));
    expect(lines.at(-1)).toMatch(/^a cell.*\.\.\.\s+right$/);
  });
});

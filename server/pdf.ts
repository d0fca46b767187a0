/**
 * A small PDF writer for text documents (notices): A4 pages of wrapped lines in the standard Helvetica fonts,
 * which every reader has, so nothing is embedded and nothing is fetched. Enough for letters; not a layout engine.
 */

export type PdfLine = { text: string; size?: number; bold?: boolean; gapBefore?: number };

const PAGE_WIDTH = 595;
const PAGE_HEIGHT = 842;
const MARGIN = 56;
const DEFAULT_SIZE = 10.5;

/** Latin-1 text for WinAnsiEncoding: the typographic characters it lacks become their plain forms. */
function latin1(text: string): string {
  return text
    .replace(/[\u2013\u2014\u2212]/g, "-")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2026/g, "...")
    .replace(/[\u00a0\u202f\u2009]/g, " ")
    .replace(/[^\x20-\xff]/g, "?");
}

const pdfString = (text: string) => text.replace(/[\\()]/g, (c) => `\\${c}`);

/**
 * Splits text into lines that fit the width. Helvetica's average advance is about half the font size; 0.55
 * leaves room for wide letters, so a line never runs off the page.
 */
function wrap(text: string, size: number): string[] {
  const perLine = Math.floor((PAGE_WIDTH - 2 * MARGIN) / (size * 0.55));
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > perLine) {
      lines.push(current);
      current = "";
    }
    current = current ? `${current} ${word}` : word;
    while (current.length > perLine) {
      lines.push(current.slice(0, perLine));
      current = current.slice(perLine);
    }
  }
  if (current || lines.length === 0) lines.push(current);
  return lines;
}

/** Lays the lines out top to bottom, starting a page when one is full; returns each page's content stream. */
function layout(lines: readonly PdfLine[]): string[] {
  const pages: string[][] = [[]];
  let y = PAGE_HEIGHT - MARGIN;
  for (const line of lines) {
    const size = line.size ?? DEFAULT_SIZE;
    const leading = size * 1.35;
    y -= line.gapBefore ?? 0;
    for (const piece of wrap(latin1(line.text), size)) {
      if (y - leading < MARGIN) {
        pages.push([]);
        y = PAGE_HEIGHT - MARGIN;
      }
      y -= leading;
      const font = line.bold ? "F2" : "F1";
      pages[pages.length - 1]?.push(
        `BT /${font} ${size} Tf ${MARGIN} ${y.toFixed(2)} Td (${pdfString(piece)}) Tj ET`,
      );
    }
  }
  return pages.map((commands) => commands.join("\n"));
}

/** A PDF document of the lines, with its title in the document information. */
export function renderPdf(title: string, lines: readonly PdfLine[]): Uint8Array<ArrayBuffer> {
  const streams = layout(lines);
  const objects: string[] = [];
  const add = (body: string) => objects.push(body);
  const pageIds = streams.map((_, i) => 5 + i * 2);
  add("<< /Type /Catalog /Pages 2 0 R >>");
  add(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pageIds.length} >>`);
  add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>");
  for (const [i, stream] of streams.entries()) {
    add(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
        `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${(pageIds[i] as number) + 1} 0 R >>`,
    );
    add(`<< /Length ${Buffer.byteLength(stream, "latin1")} >>\nstream\n${stream}\nendstream`);
  }
  add(`<< /Title (${pdfString(latin1(title))}) /Producer (BlockScore) >>`);
  const info = objects.length;

  let out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  for (const [i, body] of objects.entries()) {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${info} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Uint8Array.from(Buffer.from(out, "latin1"));
}

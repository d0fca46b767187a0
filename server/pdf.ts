import { PDFDocument, type PDFFont, type PDFPage, StandardFonts } from "pdf-lib";

/**
 * The one way BlockScore writes a PDF: A4 text documents (notices, statements, SAR drafts) in the standard
 * Helvetica fonts, which every reader has, so nothing is embedded and nothing is fetched. Paragraphs wrap by the
 * font's real widths, a full page starts the next one, and rows of fixed-x cells serve tables. Not a layout engine.
 */

const PAGE: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const DEFAULT_SIZE = 10;

/** The width between the margins; cell x positions are measured from the left margin. */
export const CONTENT_WIDTH = PAGE[0] - 2 * MARGIN;

export type TextStyle = { size?: number; bold?: boolean };
export type Cell = { text: string; x: number; width: number; align?: "left" | "right"; bold?: boolean };

const TYPOGRAPHIC: [RegExp, string][] = [
  [/[\u2013\u2014\u2212]/g, "-"],
  [/[\u2018\u2019]/g, "'"],
  [/[\u201c\u201d]/g, '"'],
  [/\u2026/g, "..."],
  [/[\u00a0\u202f\u2009]/g, " "],
];
const winAnsiSafe = (char: string) => /^[\x20-\x7e\xa1-\xff]*$/.test(char);

/**
 * Text the standard fonts can draw (their WinAnsi encoding, kept to Latin-1): typographic marks become their
 * plain forms, other letters lose their accents, and what is still outside becomes "?". Line breaks stay.
 */
export function printable(text: string): string {
  const plain = TYPOGRAPHIC.reduce((value, [pattern, by]) => value.replace(pattern, by), text);
  return Array.from(plain, (char) => {
    if (char === "\n" || winAnsiSafe(char)) return char;
    const bare = char.normalize("NFKD").replace(/\p{M}+/gu, "");
    return bare && winAnsiSafe(bare) ? bare : "?";
  }).join("");
}

/** Splits printable text into lines no wider than width; a word wider than a line is broken by letters. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const fits = (value: string) => font.widthOfTextAtSize(value, size) <= width;
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (fits(candidate)) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = word;
      while (!fits(line)) {
        let cut = line.length - 1;
        while (cut > 1 && !fits(line.slice(0, cut))) cut--;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    lines.push(line);
  }
  return lines;
}

/** The text, cut with "..." when it is wider than width. */
function fit(text: string, font: PDFFont, size: number, width: number): string {
  if (font.widthOfTextAtSize(text, size) <= width) return text;
  let cut = text;
  while (cut.length > 0 && font.widthOfTextAtSize(`${cut}...`, size) > width) cut = cut.slice(0, -1);
  return `${cut}...`;
}

export type TextDocument = {
  /** A paragraph, wrapped to the page width, after gapBefore points of space. */
  text(text: string, style?: TextStyle & { gapBefore?: number }): void;
  /** A bold line with some space above it. */
  heading(text: string, size?: number): void;
  /** One line of cells at fixed x positions, each cut to its width; height is the line's advance. */
  row(cells: readonly Cell[], options?: { size?: number; height?: number }): void;
  /** A thin line across the page under the last line. */
  rule(): void;
  gap(points: number): void;
  /** Starts a new page unless height points still fit on this one; says whether it did. */
  keep(height: number): boolean;
  save(): Promise<Uint8Array<ArrayBuffer>>;
};

/** An empty A4 document with its title (and creation date, so the same content gives the same file). */
export async function textDocument(info: { title: string; createdAt?: Date }): Promise<TextDocument> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(printable(info.title));
  pdf.setProducer("BlockScore");
  if (info.createdAt) pdf.setCreationDate(info.createdAt);
  const fonts = {
    regular: await pdf.embedFont(StandardFonts.Helvetica),
    bold: await pdf.embedFont(StandardFonts.HelveticaBold),
  };
  const fontOf = (bold?: boolean) => (bold ? fonts.bold : fonts.regular);
  let page: PDFPage = pdf.addPage(PAGE);
  let y = PAGE[1] - MARGIN;

  const keep = (height: number) => {
    if (y - height >= MARGIN) return false;
    page = pdf.addPage(PAGE);
    y = PAGE[1] - MARGIN;
    return true;
  };
  /** Moves down one line of the given height (on a new page if it does not fit) and gives its baseline. */
  const advance = (height: number) => {
    keep(height);
    y -= height;
    return y;
  };

  const text: TextDocument["text"] = (value, style = {}) => {
    const size = style.size ?? DEFAULT_SIZE;
    const font = fontOf(style.bold);
    y -= style.gapBefore ?? 0;
    for (const line of wrap(printable(value), font, size, CONTENT_WIDTH)) {
      const baseline = advance(size * 1.35);
      page.drawText(line, { x: MARGIN, y: baseline, size, font });
    }
  };

  return {
    text,
    heading: (value, size = 12) => text(value, { size, bold: true, gapBefore: 8 }),
    row: (cells, options = {}) => {
      const size = options.size ?? DEFAULT_SIZE;
      const baseline = advance(options.height ?? size * 1.5);
      for (const cell of cells) {
        const font = fontOf(cell.bold);
        const value = fit(printable(cell.text), font, size, cell.width);
        const shift = cell.align === "right" ? cell.width - font.widthOfTextAtSize(value, size) : 0;
        page.drawText(value, { x: MARGIN + cell.x + shift, y: baseline, size, font });
      }
    },
    rule: () => {
      y -= 4;
      page.drawLine({ start: { x: MARGIN, y }, end: { x: PAGE[0] - MARGIN, y }, thickness: 0.5 });
    },
    gap: (points) => {
      y -= points;
    },
    keep,
    save: async () => new Uint8Array(await pdf.save({ useObjectStreams: false })),
  };
}

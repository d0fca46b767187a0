import { PDFDocument, type PDFFont, StandardFonts } from "pdf-lib";
import type { SarDraft } from "../../../db/schema";

const PAGE = { width: 595.28, height: 841.89, margin: 50 };
const SIZE = 10;
const LEADING = 14;

/** The standard fonts speak WinAnsi only: letters outside it are written without their accent, or as "?". */
function printable(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/[^\x20-\x7e\n]/g, "?");
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of printable(text).split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) <= width || !line) line = candidate;
      else {
        lines.push(line);
        line = word;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** The SAR draft as a plain, text-searchable PDF (A4, Helvetica), one section after another. */
export async function renderSarPdf(sar: SarDraft): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Suspicious activity report draft, case ${sar.caseId}`);
  pdf.setCreationDate(new Date(sar.preparedAt));
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const width = PAGE.width - 2 * PAGE.margin;
  let page = pdf.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - PAGE.margin;
  const write = (text: string, font = regular, size = SIZE) => {
    for (const line of wrap(text, font, size, width)) {
      if (y < PAGE.margin) {
        page = pdf.addPage([PAGE.width, PAGE.height]);
        y = PAGE.height - PAGE.margin;
      }
      page.drawText(line, { x: PAGE.margin, y, size, font });
      y -= size + (LEADING - SIZE);
    }
  };
  const heading = (text: string) => {
    y -= 6;
    write(text, bold, 12);
  };

  write("Suspicious Activity Report - draft", bold, 16);
  write(`Case ${sar.caseId}, prepared ${sar.preparedAt}. Filing happens outside BlockScore.`);
  heading("Part I - Subject");
  const s = sar.subject;
  write(`Name: ${s.legalName ?? "unknown"}`);
  write(`Date of birth: ${s.dateOfBirth ?? "unknown"}    Country: ${s.country ?? "unknown"}`);
  write(`Address: ${s.address ?? "unknown"}`);
  write(
    `Identification: ${s.documentType ?? "none"} ending ${s.documentNumberLast4 ?? "-"}    Email: ${s.email}`,
  );
  write(`Customer id: ${s.userId}`);
  heading("Part II - Suspicious activity");
  write(`Activity from ${sar.activity.from ?? "-"} to ${sar.activity.to ?? "-"}`);
  write(`Total amount: ${sar.activity.totalAmount} over ${sar.activity.movements} movement(s)`);
  for (const amount of sar.amounts) {
    write(`${amount.at}  ${amount.kind} (${amount.direction})  ${amount.amount}  ${amount.reference ?? ""}`);
  }
  heading("Rules that fired");
  if (sar.rulesFired.length === 0) write("None");
  for (const rule of sar.rulesFired) write(`${rule.at}  ${rule.rule}: ${rule.detail}`);
  heading("Part V - Narrative");
  write(sar.narrative || "(no notes)");
  return pdf.save();
}

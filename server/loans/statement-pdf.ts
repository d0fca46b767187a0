import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from "pdf-lib";
import type { StatementView } from "./servicing-schemas";

/**
 * The statement as a PDF a person reads: A4 pages, the loan and period at the top, the opening balance, one row
 * per line with its running balance, the closing balance and totals. The standard Helvetica fonts need no files;
 * they encode WinAnsi only, so any other character is shown as "?".
 */

const PAGE: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const ROW = 15;
const COLUMNS = [
  { title: "Date", x: MARGIN, width: 62, align: "left" },
  { title: "Description", x: MARGIN + 64, width: 220, align: "left" },
  { title: "Amount", x: MARGIN + 290, width: 70, align: "right" },
  { title: "Change", x: MARGIN + 365, width: 65, align: "right" },
  { title: "Balance", x: MARGIN + 430, width: 65, align: "right" },
] as const;

const printable = (text: string) =>
  Array.from(text, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return (code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff) ? char : "?";
  }).join("");

function fit(text: string, font: PDFFont, size: number, width: number): string {
  const value = printable(text);
  if (font.widthOfTextAtSize(value, size) <= width) return value;
  let cut = value;
  while (cut.length > 0 && font.widthOfTextAtSize(`${cut}...`, size) > width) cut = cut.slice(0, -1);
  return `${cut}...`;
}

export async function renderStatementPdf(view: StatementView): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Loan statement ${view.loanId} ${view.from} to ${view.to}`);
  pdf.setProducer("BlockScore");
  pdf.setCreationDate(new Date(`${view.to}T00:00:00Z`));
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  let page: PDFPage = pdf.addPage(PAGE);
  let y = PAGE[1] - MARGIN;

  const write = (text: string, x: number, options: { font?: PDFFont; size?: number } = {}) => {
    const size = options.size ?? 10;
    page.drawText(printable(text), { x, y, size, font: options.font ?? regular, color: rgb(0, 0, 0) });
  };
  const cell = (text: string, column: (typeof COLUMNS)[number], font: PDFFont = regular) => {
    const value = fit(text, font, 9, column.width);
    const x =
      column.align === "right" ? column.x + column.width - font.widthOfTextAtSize(value, 9) : column.x;
    page.drawText(value, { x, y, size: 9, font });
  };
  const header = () => {
    for (const column of COLUMNS) cell(column.title, column, bold);
    y -= 4;
    page.drawLine({ start: { x: MARGIN, y }, end: { x: PAGE[0] - MARGIN, y }, thickness: 0.5 });
    y -= ROW - 4;
  };

  write("Loan statement", MARGIN, { font: bold, size: 18 });
  y -= 28;
  const facts: [string, string][] = [
    ["Borrower", `${view.borrower.name} <${view.borrower.email}>`],
    ["Loan", view.loanId],
    ["Amount and rate", `${view.amount}, APR ${view.apr} %, ${view.status.replace("_", " ")}`],
    ["Period", `${view.from} to ${view.to}`],
  ];
  for (const [label, value] of facts) {
    write(label, MARGIN, { font: bold });
    write(value, MARGIN + 110);
    y -= ROW;
  }
  y -= 6;
  write("Opening balance", MARGIN, { font: bold, size: 11 });
  write(view.openingBalance, MARGIN + 110, { size: 11 });
  y -= ROW + 10;
  header();
  for (const line of view.lines) {
    if (y < MARGIN + 3 * ROW) {
      page = pdf.addPage(PAGE);
      y = PAGE[1] - MARGIN;
      header();
    }
    const [date, description, amount, change, balance] = COLUMNS;
    cell(line.date, date);
    cell(line.description, description);
    cell(line.amount, amount);
    cell(line.effect, change);
    cell(line.balance, balance);
    y -= ROW;
  }
  if (view.lines.length === 0) {
    write("No activity in this period.", MARGIN);
    y -= ROW;
  }
  y -= 10;
  if (y < MARGIN + 4 * ROW) {
    page = pdf.addPage(PAGE);
    y = PAGE[1] - MARGIN;
  }
  write("Closing balance", MARGIN, { font: bold, size: 11 });
  write(view.closingBalance, MARGIN + 110, { size: 11 });
  y -= ROW + 4;
  write(
    `Payments ${view.totals.payments}   Interest charged ${view.totals.interest}   Fees ${view.totals.fees}`,
    MARGIN,
  );
  return pdf.save({ useObjectStreams: false });
}

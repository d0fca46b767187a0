import { type Cell, CONTENT_WIDTH, textDocument } from "../pdf";
import type { StatementView } from "./servicing-schemas";

/**
 * The statement as a PDF a person reads: the loan and period at the top, the opening balance, one row per line
 * with its running balance (the column header repeated on every page), the closing balance and totals.
 */

const ROW = 15;
const COLUMNS = [
  { text: "Date", x: 0, width: 62 },
  { text: "Description", x: 64, width: 220 },
  { text: "Amount", x: 290, width: 70, align: "right" },
  { text: "Change", x: 365, width: 65, align: "right" },
  { text: "Balance", x: 430, width: 65, align: "right" },
] as const satisfies readonly Cell[];
const LABEL = 110;

export async function renderStatementPdf(view: StatementView): Promise<Uint8Array> {
  const doc = await textDocument({
    title: `Loan statement ${view.loanId} ${view.from} to ${view.to}`,
    createdAt: new Date(`${view.to}T00:00:00Z`),
  });
  const fact = (label: string, value: string, size?: number) =>
    doc.row(
      [
        { text: label, x: 0, width: LABEL, bold: true },
        { text: value, x: LABEL, width: CONTENT_WIDTH - LABEL },
      ],
      { size, height: ROW },
    );
  const header = () => {
    doc.row(
      COLUMNS.map((column) => ({ ...column, bold: true })),
      { size: 9, height: ROW },
    );
    doc.rule();
  };

  doc.text("Loan statement", { size: 18, bold: true });
  doc.gap(10);
  fact("Borrower", `${view.borrower.name} <${view.borrower.email}>`);
  fact("Loan", view.loanId);
  fact("Amount and rate", `${view.amount}, APR ${view.apr} %, ${view.status.replace("_", " ")}`);
  fact("Period", `${view.from} to ${view.to}`);
  doc.gap(6);
  fact("Opening balance", view.openingBalance, 11);
  doc.gap(10);
  header();
  for (const line of view.lines) {
    if (doc.keep(3 * ROW)) header();
    const values = [line.date, line.description, line.amount, line.effect, line.balance];
    doc.row(
      COLUMNS.map((column, i) => ({ ...column, text: values[i] ?? "" })),
      { size: 9, height: ROW },
    );
  }
  if (view.lines.length === 0) doc.text("No activity in this period.");
  doc.gap(10);
  doc.keep(4 * ROW);
  fact("Closing balance", view.closingBalance, 11);
  doc.gap(4);
  doc.text(
    `Payments ${view.totals.payments}   Interest charged ${view.totals.interest}   Fees ${view.totals.fees}`,
  );
  return doc.save();
}

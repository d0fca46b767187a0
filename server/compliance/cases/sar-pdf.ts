import type { SarDraft } from "../../../db/schema";
import { textDocument } from "../../pdf";

/** The SAR draft as a plain, text-searchable PDF (A4, Helvetica), one section after another. */
export async function renderSarPdf(sar: SarDraft): Promise<Uint8Array> {
  const doc = await textDocument({
    title: `Suspicious activity report draft, case ${sar.caseId}`,
    createdAt: new Date(sar.preparedAt),
  });
  doc.text("Suspicious Activity Report - draft", { size: 16, bold: true });
  doc.text(`Case ${sar.caseId}, prepared ${sar.preparedAt}. Filing happens outside BlockScore.`);
  doc.heading("Part I - Subject");
  const s = sar.subject;
  doc.text(`Name: ${s.legalName ?? "unknown"}`);
  doc.text(`Date of birth: ${s.dateOfBirth ?? "unknown"}    Country: ${s.country ?? "unknown"}`);
  doc.text(`Address: ${s.address ?? "unknown"}`);
  doc.text(
    `Identification: ${s.documentType ?? "none"} ending ${s.documentNumberLast4 ?? "-"}    Email: ${s.email}`,
  );
  doc.text(`Customer id: ${s.userId}`);
  doc.heading("Part II - Suspicious activity");
  doc.text(`Activity from ${sar.activity.from ?? "-"} to ${sar.activity.to ?? "-"}`);
  doc.text(`Total amount: ${sar.activity.totalAmount} over ${sar.activity.movements} movement(s)`);
  for (const amount of sar.amounts) {
    doc.text(
      `${amount.at}  ${amount.kind} (${amount.direction})  ${amount.amount}  ${amount.reference ?? ""}`,
    );
  }
  doc.heading("Rules that fired");
  if (sar.rulesFired.length === 0) doc.text("None");
  for (const rule of sar.rulesFired) doc.text(`${rule.at}  ${rule.rule}: ${rule.detail}`);
  doc.heading("Part V - Narrative");
  doc.text(sar.narrative || "(no notes)");
  return doc.save();
}

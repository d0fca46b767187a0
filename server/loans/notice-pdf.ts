import { formatMoney } from "../money";
import { textDocument } from "../pdf";
import type { AdverseActionNotice } from "./adverse-action";

const day = (date: Date) => date.toISOString().slice(0, 10);

/** The notice as a letter an applicant can keep: the same content as the JSON, in reading order. */
export async function noticePdf(notice: AdverseActionNotice): Promise<Uint8Array<ArrayBuffer>> {
  const doc = await textDocument({ title: "Notice of action taken", createdAt: notice.issuedAt });
  doc.text(notice.creditor.name, { size: 14, bold: true });
  doc.text(notice.creditor.address);
  doc.text(`Notice of action taken, ${day(notice.issuedAt)}`, { size: 13, bold: true, gapBefore: 18 });
  doc.text(notice.decision.statement, { gapBefore: 8 });
  doc.text(
    `Amount requested: ${formatMoney(notice.decision.amountCents)}; term: ${notice.decision.termMonths} months; decided on ${day(notice.decision.decidedAt)}.`,
  );
  doc.heading("Principal reasons for our decision");
  if (notice.reasons.length === 0) doc.text("No reason recorded.");
  for (const [i, reason] of notice.reasons.entries()) doc.text(`${i + 1}. ${reason.description}`);
  const score = notice.score;
  if (score) {
    doc.heading("Your credit score");
    doc.text(
      `Our decision was based in whole or in part on your credit score of ${score.value}, calculated on ${day(score.calculatedAt)}. Scores range from ${score.range.min} to ${score.range.max}; a higher score means lower risk.`,
    );
    if (score.keyFactors.length > 0) doc.text("Key factors that lowered your score:");
    for (const factor of score.keyFactors) doc.text(`- ${factor.description}`);
  }
  doc.heading("Your rights");
  doc.text(notice.ecoaNotice);
  doc.text(`Reference: ${notice.id}`, { size: 8, gapBefore: 14 });
  return doc.save();
}

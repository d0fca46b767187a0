import { formatMoney } from "../money";
import { type PdfLine, renderPdf } from "../pdf";
import type { AdverseActionNotice } from "./adverse-action";

const day = (date: Date) => date.toISOString().slice(0, 10);

/** The notice as a letter an applicant can keep: the same content as the JSON, in reading order. */
export function noticePdf(notice: AdverseActionNotice): Uint8Array<ArrayBuffer> {
  const lines: PdfLine[] = [
    { text: notice.creditor.name, size: 14, bold: true },
    { text: notice.creditor.address },
    { text: `Notice of action taken, ${day(notice.issuedAt)}`, size: 13, bold: true, gapBefore: 18 },
    { text: notice.decision.statement, gapBefore: 8 },
    {
      text: `Amount requested: ${formatMoney(notice.decision.amountCents)}; term: ${notice.decision.termMonths} months; decided on ${day(notice.decision.decidedAt)}.`,
    },
    { text: "Principal reasons for our decision", bold: true, gapBefore: 14 },
    ...(notice.reasons.length > 0
      ? notice.reasons.map((reason, i) => ({ text: `${i + 1}. ${reason.description}` }))
      : [{ text: "No reason recorded." }]),
  ];
  const score = notice.score;
  if (score) {
    lines.push(
      { text: "Your credit score", bold: true, gapBefore: 14 },
      {
        text: `Our decision was based in whole or in part on your credit score of ${score.value}, calculated on ${day(score.calculatedAt)}. Scores range from ${score.range.min} to ${score.range.max}; a higher score means lower risk.`,
      },
      ...(score.keyFactors.length > 0
        ? [
            { text: "Key factors that lowered your score:" },
            ...score.keyFactors.map((factor) => ({ text: `- ${factor.description}` })),
          ]
        : []),
    );
  }
  lines.push(
    { text: "Your rights", bold: true, gapBefore: 14 },
    { text: notice.ecoaNotice },
    { text: `Reference: ${notice.id}`, size: 8, gapBefore: 14 },
  );
  return renderPdf("Notice of action taken", lines);
}

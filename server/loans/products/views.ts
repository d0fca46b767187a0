import type { LoanProduct, LoanProductVersion } from "../../../db/schema";
import { formatMoney, formatRate } from "../../money";
import { scoreBands } from "../../score-bands";
import type { ProductView } from "./schemas";

export function toProductView(product: LoanProduct, version: LoanProductVersion): ProductView {
  return {
    id: product.id,
    version: version.version,
    status: product.status,
    isDefault: product.isDefault,
    name: version.name,
    minAmount: formatMoney(version.minAmountCents),
    maxAmount: formatMoney(version.maxAmountCents),
    minTermMonths: version.minTermMonths,
    maxTermMonths: version.maxTermMonths,
    scheduleType: version.scheduleType,
    scoreFloor: version.scoreFloor,
    maxDtiPercent: formatRate(version.maxDtiBasisPoints),
    graceDays: version.graceDays,
    originationFeePercent: formatRate(version.originationFeeBasisPoints),
    originationFeeFixed: formatMoney(version.originationFeeFixedCents),
    originationFeeFinanced: version.originationFeeFinanced,
    lateFeeFixed: formatMoney(version.lateFeeFixedCents),
    lateFeePercent: formatRate(version.lateFeeBasisPoints),
    lateFeeCap: version.lateFeeCapCents === null ? null : formatMoney(version.lateFeeCapCents),
    pricing: [...scoreBands].reverse().map((band) => ({ band, apr: formatRate(version.pricing[band] ?? 0) })),
    versionCreatedAt: version.createdAt,
  };
}

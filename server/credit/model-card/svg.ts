/**
 * Small inline SVG charts for the model card: no library, no script, nothing fetched. Coordinates are plain
 * numbers; every text is escaped.
 */

export type Point = { x: number; y: number; label?: string };
export type Series = { points: readonly Point[]; line?: boolean; color: string; dashed?: boolean };
export type Axis = { min: number; max: number; ticks: readonly number[]; format: (value: number) => string };

export type ChartSpec = {
  title: string;
  width: number;
  height: number;
  /** `slanted`: tick labels at an angle, for long ones (value ranges). */
  x: Axis & { label: string; tickLabels?: readonly string[]; slanted?: boolean };
  y: Axis & { label: string };
  series: readonly Series[];
};

const PAD = { left: 56, right: 16, top: 28, bottom: 52 };
const SLANTED_BOTTOM = 100;

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const fixed = (value: number) => Number(value.toFixed(1));

/** A line-and-point chart with axes, grid lines and tick labels; `title` becomes its accessible name. */
export function chart(spec: ChartSpec): string {
  const plotWidth = spec.width - PAD.left - PAD.right;
  const bottom = spec.x.slanted ? SLANTED_BOTTOM : PAD.bottom;
  const plotHeight = spec.height - PAD.top - bottom;
  const sx = (x: number) => fixed(PAD.left + ((x - spec.x.min) / (spec.x.max - spec.x.min || 1)) * plotWidth);
  const sy = (y: number) =>
    fixed(PAD.top + plotHeight - ((y - spec.y.min) / (spec.y.max - spec.y.min || 1)) * plotHeight);
  const parts: string[] = [];
  for (const tick of spec.y.ticks) {
    parts.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotWidth}" y1="${sy(tick)}" y2="${sy(tick)}" stroke="#e3e6ec"/>`,
      `<text x="${PAD.left - 6}" y="${sy(tick) + 4}" text-anchor="end" class="tick">${escapeHtml(spec.y.format(tick))}</text>`,
    );
  }
  spec.x.ticks.forEach((tick, i) => {
    const label = spec.x.tickLabels?.[i] ?? spec.x.format(tick);
    parts.push(
      `<line x1="${sx(tick)}" x2="${sx(tick)}" y1="${PAD.top + plotHeight}" y2="${PAD.top + plotHeight + 4}" stroke="#888"/>`,
      spec.x.slanted
        ? `<text x="${sx(tick)}" y="${PAD.top + plotHeight + 14}" text-anchor="end" class="tick" transform="rotate(-30 ${sx(tick)} ${PAD.top + plotHeight + 14})">${escapeHtml(label)}</text>`
        : `<text x="${sx(tick)}" y="${PAD.top + plotHeight + 16}" text-anchor="middle" class="tick">${escapeHtml(label)}</text>`,
    );
  });
  parts.push(
    `<line x1="${PAD.left}" x2="${PAD.left + plotWidth}" y1="${PAD.top + plotHeight}" y2="${PAD.top + plotHeight}" stroke="#888"/>`,
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotHeight}" stroke="#888"/>`,
    `<text x="${PAD.left + plotWidth / 2}" y="${spec.height - 8}" text-anchor="middle" class="axis">${escapeHtml(spec.x.label)}</text>`,
    `<text x="14" y="${PAD.top + plotHeight / 2}" text-anchor="middle" class="axis" transform="rotate(-90 14 ${PAD.top + plotHeight / 2})">${escapeHtml(spec.y.label)}</text>`,
  );
  for (const series of spec.series) {
    if (series.line && series.points.length > 1) {
      const path = series.points.map((p) => `${sx(p.x)},${sy(p.y)}`).join(" ");
      parts.push(
        `<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="5 4"' : ""}/>`,
      );
    }
    for (const p of series.points) {
      if (p.label === undefined && series.line) continue;
      parts.push(`<circle cx="${sx(p.x)}" cy="${sy(p.y)}" r="3.5" fill="${series.color}"/>`);
      if (p.label !== undefined) {
        parts.push(
          `<text x="${sx(p.x)}" y="${sy(p.y) - 8}" text-anchor="middle" class="value">${escapeHtml(p.label)}</text>`,
        );
      }
    }
  }
  return (
    `<svg viewBox="0 0 ${spec.width} ${spec.height}" width="${spec.width}" height="${spec.height}" role="img" aria-label="${escapeHtml(spec.title)}">` +
    `<title>${escapeHtml(spec.title)}</title>${parts.join("")}</svg>`
  );
}

/** Evenly spaced ticks from `min` to `max` that land on multiples of `step`. */
export function ticks(min: number, max: number, step: number): number[] {
  const values: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) values.push(Number(v.toFixed(6)));
  return values;
}

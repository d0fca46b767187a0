/**
 * Dates of birth from an SDN entry's remarks. OFAC writes them as `;`-separated clauses:
 * `DOB 14 Mar 1971; alt. DOB 1969; POB Tehran, Iran; ...`, and also `DOB circa 1971`, `DOB Mar 1971`,
 * `DOB 1961 to 1963` and `DOB 14 Mar 1971 to 15 Mar 1972`. A known day gives `yyyy-mm-dd`; anything less
 * precise gives the year, and a range gives each year it covers (at most a dozen), so a date of birth
 * inside it matches at year precision.
 */

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const DOB_CLAUSE = /^(?:alt\.?\s+)?DOB\b:?\s*(.+)$/i;
const DATE = /^(?:(\d{1,2})\s+)?(?:([a-z]{3,9})\.?\s+)?(\d{4})$/i;
const MAX_RANGE_YEARS = 12;

type ParsedDate = { year: number; iso: string };

function parseDate(text: string): ParsedDate | null {
  const match = DATE.exec(text.trim());
  if (!match) return null;
  const [, dayText, monthText, yearText] = match;
  const year = Number(yearText);
  if (year < 1850 || year > 2100) return null;
  const month = monthText ? MONTHS[monthText.slice(0, 3).toLowerCase()] : undefined;
  if (monthText && month === undefined) return null;
  if (dayText && month !== undefined) {
    const day = Number(dayText);
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
    return { year, iso: `${yearText}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}` };
  }
  return { year, iso: String(year) };
}

function parseDobValue(value: string): string[] {
  const text = value
    .replace(/\.$/, "")
    .replace(/^(?:circa|approximately|approx\.?|about|ca\.?|c\.)\s*/i, "")
    .trim();
  const single = parseDate(text);
  if (single) return [single.iso];

  const range = text.split(/\s+to\s+|\s*[-–]\s*(?=\d{4}$)/i);
  if (range.length === 2) {
    const from = parseDate(range[0] ?? "");
    const to = parseDate(range[1] ?? "");
    if (from && to && to.year >= from.year) {
      if (to.year - from.year >= MAX_RANGE_YEARS) return [String(from.year), String(to.year)];
      const years: string[] = [];
      for (let year = from.year; year <= to.year; year++) years.push(String(year));
      return years;
    }
  }
  return [];
}

export function parseDatesOfBirth(remarks: string | null): string[] {
  if (!remarks || !/DOB/i.test(remarks)) return [];
  const found = new Set<string>();
  for (const clause of remarks.split(";")) {
    const match = DOB_CLAUSE.exec(clause.trim());
    if (!match?.[1]) continue;
    for (const date of parseDobValue(match[1])) found.add(date);
  }
  return [...found];
}

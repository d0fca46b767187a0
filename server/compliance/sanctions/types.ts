/** What an SDN row describes. OFAC leaves SDN_Type empty (`-0-`) for entities. */
export type SanctionsEntryType = "individual" | "entity" | "vessel" | "aircraft";

export type SanctionsEntry = {
  /** OFAC's `ent_num`, stable across list releases. */
  id: number;
  /** The name as listed (`LAST, First Middle` for individuals). */
  name: string;
  type: SanctionsEntryType;
  /** `SDGT] [IRAN` in the file becomes `["SDGT", "IRAN"]`. */
  programs: string[];
  /** Alternate names from ALT.CSV (aka, fka and nka alike). */
  aliases: string[];
  /** From the remarks: ISO `yyyy-mm-dd` when the day is known, `yyyy` when only the year is. */
  datesOfBirth: string[];
  remarks: string | null;
};

export type SanctionsList = {
  entries: SanctionsEntry[];
  count: number;
  loadedAt: Date;
  /** Rows that could not be read (no numeric ent_num, no name, or an alias for an unknown entry). */
  skippedRows: number;
  /** The stored version this list is (sanctions_list_versions.id), once it has been stored. */
  version?: number;
};

import type { Logger } from "pino";
import type { Database } from "../../db/client";
import { appendAudit, type RequestMeta } from "../audit/log";
import { unavailable } from "../errors";
import { loadSanctionsList } from "./sanctions/ofac-csv";
import { buildScreeningIndex, type ScreeningIndex } from "./sanctions/screen";

export type SanctionsStatus =
  | { loaded: true; count: number; loadedAt: Date; skippedRows: number }
  | { loaded: false; error: string };

export type SanctionsReload = {
  count: number;
  loadedAt: Date;
  skippedRows: number;
  previousCount: number | null;
};

/**
 * The sanctions list this instance screens against. It starts loading when created; a failed load is logged
 * and leaves no list, and then every KYC sanctions check answers `review` (never `pass`). A reload builds the
 * new index completely before it replaces the old one in a single assignment, so a screening sees either
 * list whole; when a reload fails, the list in use stays. Each instance holds its own copy: with several
 * instances behind a load balancer, reload each one (or restart them).
 */
export type SanctionsRegistry = {
  /** The list in use, once the first load has finished; null when none could be loaded. */
  index(): Promise<ScreeningIndex | null>;
  status(): Promise<SanctionsStatus>;
  /** `log` is the requester's logger, so the reload's lines carry its request id. */
  reload(log?: Logger): Promise<SanctionsReload>;
};

export function createSanctionsRegistry(dir: string, logger: Logger): SanctionsRegistry {
  let current: { index: ScreeningIndex; skippedRows: number } | null = null;
  let lastError = "not loaded yet";
  // Loads run one at a time, so a slow reload cannot overwrite a newer one.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  };

  const load = async (log: Logger = logger): Promise<SanctionsReload> => {
    const list = await loadSanctionsList(dir);
    // An empty or unreadable file must not replace a good list: screening against nothing passes everyone.
    if (list.count === 0) throw new Error(`No sanctions list entries could be read from ${dir}`);
    const previousCount = current?.index.count ?? null;
    current = { index: buildScreeningIndex(list), skippedRows: list.skippedRows };
    log.info(
      { dir, entries: list.count, skippedRows: list.skippedRows, previousCount },
      "sanctions list loaded",
    );
    return { count: list.count, loadedAt: list.loadedAt, skippedRows: list.skippedRows, previousCount };
  };

  const initial = serially(() => load()).catch((error: unknown) => {
    lastError = error instanceof Error ? error.message : String(error);
    logger.error(
      { err: error, dir },
      "sanctions list not loaded: every KYC screening goes to review until a reload succeeds",
    );
  });

  return {
    async index() {
      await initial;
      return current?.index ?? null;
    },
    async status() {
      await initial;
      return current
        ? {
            loaded: true,
            count: current.index.count,
            loadedAt: current.index.loadedAt,
            skippedRows: current.skippedRows,
          }
        : { loaded: false, error: lastError };
    },
    reload: (log = logger) =>
      serially(() => load(log)).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (!current) lastError = message;
        log.warn({ err: error, dir }, "sanctions list reload failed; the list in use stays");
        throw unavailable("SANCTIONS_LIST_UNAVAILABLE", `Sanctions list could not be loaded: ${message}`);
      }),
  };
}

/** The admin reload: swaps the list, and audits the outcome either way. */
export async function reloadSanctionsList(
  db: Database,
  meta: RequestMeta,
  registry: SanctionsRegistry,
  log?: Logger,
): Promise<SanctionsReload> {
  let result: SanctionsReload;
  try {
    result = await registry.reload(log);
  } catch (error) {
    await db.transaction((tx) =>
      appendAudit(tx, meta, {
        action: "sanctions.reload_failed",
        subjectType: "sanctions_list",
        details: { error: error instanceof Error ? error.message : String(error) },
      }),
    );
    throw error;
  }
  await db.transaction((tx) =>
    appendAudit(tx, meta, {
      action: "sanctions.reload",
      subjectType: "sanctions_list",
      details: {
        count: result.count,
        loadedAt: result.loadedAt.toISOString(),
        skippedRows: result.skippedRows,
        previousCount: result.previousCount,
      },
    }),
  );
  return result;
}

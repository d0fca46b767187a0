import type { Logger } from "pino";
import type { Database } from "../../db/client";
import { appendAudit, type RequestMeta } from "../audit/log";
import type { Config } from "../config";
import { unavailable } from "../errors";
import type { Jobs } from "../jobs/jobs";
import { MalformedListError, parseListFiles } from "./sanctions/list-files";
import { loadSanctionsList } from "./sanctions/ofac-csv";
import { buildScreeningIndex, type ScreeningIndex } from "./sanctions/screen";
import { fetchListFiles, saveSources } from "./sanctions-fetch";
import {
  type FetchTrigger,
  listHistory,
  readEntries,
  readGeneration,
  readHead,
  recordFetchFailure,
  recordNotModified,
  type StoreListResult,
  storeListVersion,
} from "./sanctions-store";

export type SanctionsStatus =
  | { loaded: true; count: number; loadedAt: Date; skippedRows: number; version: number }
  | { loaded: false; error: string };

export type SanctionsReload = {
  count: number;
  loadedAt: Date;
  skippedRows: number;
  previousCount: number | null;
  version: number;
};

export type RefreshOutcome = "updated" | "unchanged" | "not_modified" | "failed";

/** The list this instance screens against, and the stored version it came from. */
export type LoadedList = { index: ScreeningIndex; version: number };

/**
 * The sanctions list this instance screens against. The list lives in Postgres (sanctions-store.ts): this
 * registry loads the version the head names, builds the screening index completely and swaps it in with one
 * assignment, and polls the head's generation every SANCTIONS_POLL_SECONDS, so every instance follows a new
 * version or a reload within that time (polling, not LISTEN: PgBouncer's transaction pooling drops listeners).
 * The source is SANCTIONS_DIR, imported at start when it differs from the stored list, or SANCTIONS_SOURCE_URLS,
 * fetched by the refresh cron (and at start when nothing is stored yet). A download that does not parse whole
 * keeps the list in use and is recorded as a failed fetch (an audited alert). With no list at all, every KYC
 * sanctions check answers `review`, never `pass`.
 */
export type SanctionsRegistry = {
  /** The list in use, once the first load has finished; null when none could be loaded. */
  index(): Promise<ScreeningIndex | null>;
  current(): Promise<LoadedList | null>;
  status(): Promise<SanctionsStatus>;
  /** Reads the source again (unconditionally) and makes every instance load the stored list again. */
  reload(log: Logger, meta: RequestMeta): Promise<SanctionsReload>;
  /** The cron's conditional fetch; failures are recorded and logged, not thrown. */
  refresh(trigger: FetchTrigger): Promise<RefreshOutcome>;
  /** Loads the stored version if the head moved (the poller calls this). */
  poll(): Promise<void>;
  /** Rescreens need the job queue, which starts after the registry. */
  useJobs(jobs: Jobs): void;
  stop(): void;
};

export type SanctionsRegistryDeps = {
  db: Database;
  logger: Logger;
  config: Pick<Config, "SANCTIONS_DIR" | "SANCTIONS_SOURCE_URLS" | "SANCTIONS_POLL_SECONDS">;
};

const SYSTEM: RequestMeta = { actorId: null, ip: null, requestId: "sanctions-registry" };
// A download with fewer than half the entries in use is taken for a truncated one, even if every row parses.
const MIN_SHARE_OF_CURRENT = 0.5;

export function createSanctionsRegistry(deps: SanctionsRegistryDeps): SanctionsRegistry {
  const { db, logger, config } = deps;
  const urls = config.SANCTIONS_SOURCE_URLS;
  const source = urls.length > 0 ? urls.join(",") : config.SANCTIONS_DIR;
  let jobs: Jobs | null = null;
  let loaded: (LoadedList & { generation: number; skippedRows: number; loadedAt: Date }) | null = null;
  let lastError = "not loaded yet";
  // Loads run one at a time, so a slow one cannot overwrite a newer one.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  };

  const loadStored = async (log: Logger): Promise<boolean> => {
    const head = await readHead(db);
    if (!head) return false;
    if (loaded?.generation === head.generation) return true;
    const entries = await readEntries(db, { versionId: head.version.id });
    const loadedAt = new Date();
    const previousCount = loaded?.index.count ?? null;
    loaded = {
      index: buildScreeningIndex({
        entries,
        count: entries.length,
        loadedAt,
        skippedRows: 0,
        version: head.version.id,
      }),
      version: head.version.id,
      generation: head.generation,
      skippedRows: head.version.skippedRows,
      loadedAt,
    };
    log.info({ version: head.version.id, entries: entries.length, previousCount }, "sanctions list loaded");
    return true;
  };

  const importSource = async (
    trigger: FetchTrigger,
    meta: RequestMeta,
  ): Promise<StoreListResult | "not_modified"> => {
    if (urls.length === 0) {
      const list = await loadSanctionsList(config.SANCTIONS_DIR);
      // An empty or unreadable file must not replace a good list: screening against nothing passes everyone.
      if (list.count === 0)
        throw new Error(`No sanctions list entries could be read from ${config.SANCTIONS_DIR}`);
      return storeListVersion(db, { jobs }, { list, source, trigger, meta });
    }
    const files = await fetchListFiles(db, { urls, conditional: trigger !== "reload" });
    if (files.every((file) => file.notModified)) {
      await recordNotModified(db, { trigger, source });
      return "not_modified";
    }
    const list = parseListFiles(files);
    const head = await readHead(db);
    if (head && list.count < head.version.entryCount * MIN_SHARE_OF_CURRENT) {
      throw new MalformedListError(
        `The download has ${list.count} entries against ${head.version.entryCount} in use (truncated?)`,
      );
    }
    const stored = await storeListVersion(db, { jobs }, { list, source, trigger, meta });
    await saveSources(db, files);
    return stored;
  };

  const failed = async (trigger: FetchTrigger, meta: RequestMeta, log: Logger, error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    log.error(
      { err: error, source, trigger },
      "sanctions list refresh refused or failed; the list in use stays",
    );
    await recordFetchFailure(db, {
      trigger,
      source,
      error: message,
      meta,
      audit: trigger !== "reload",
    }).catch((recordError: unknown) =>
      log.error({ err: recordError }, "sanctions fetch failure not recorded"),
    );
    return message;
  };

  const initial = serially(async () => {
    try {
      if (urls.length === 0 || !(await readHead(db))) await importSource("start", SYSTEM);
    } catch (error) {
      lastError = await failed("start", SYSTEM, logger, error);
    }
    if (!(await loadStored(logger).catch(() => false))) {
      logger.error(
        { source, error: lastError },
        "sanctions list not loaded: every KYC screening goes to review until a reload succeeds",
      );
    }
  });

  const poll = () =>
    serially(async () => {
      const generation = await readGeneration(db);
      if (generation !== null && generation !== loaded?.generation) await loadStored(logger);
    }).catch((error: unknown) => logger.warn({ err: error }, "sanctions list poll failed"));
  const timer = setInterval(() => void poll(), config.SANCTIONS_POLL_SECONDS * 1000);
  timer.unref?.();

  return {
    async index() {
      await initial;
      return loaded?.index ?? null;
    },
    async current() {
      await initial;
      return loaded ? { index: loaded.index, version: loaded.version } : null;
    },
    async status() {
      await initial;
      return loaded
        ? {
            loaded: true,
            count: loaded.index.count,
            loadedAt: loaded.loadedAt,
            skippedRows: loaded.skippedRows,
            version: loaded.version,
          }
        : { loaded: false, error: lastError };
    },
    reload: (log, meta) =>
      serially(async () => {
        const previousCount = loaded?.index.count ?? null;
        await importSource("reload", meta);
        await loadStored(log);
        if (!loaded) throw new Error("no sanctions list stored");
        return {
          count: loaded.index.count,
          loadedAt: loaded.loadedAt,
          skippedRows: loaded.skippedRows,
          previousCount,
          version: loaded.version,
        };
      }).catch(async (error: unknown) => {
        const message = await failed("reload", meta, log, error);
        if (!loaded) lastError = message;
        throw unavailable("SANCTIONS_LIST_UNAVAILABLE", `Sanctions list could not be loaded: ${message}`);
      }),
    refresh: (trigger) =>
      serially(async (): Promise<RefreshOutcome> => {
        try {
          const result = await importSource(trigger, SYSTEM);
          await loadStored(logger);
          return result === "not_modified" ? result : result.outcome;
        } catch (error) {
          await failed(trigger, SYSTEM, logger, error);
          return "failed";
        }
      }),
    poll,
    useJobs(queue) {
      jobs = queue;
    },
    stop() {
      clearInterval(timer);
    },
  };
}

export type SanctionsOverviewParams = { limit: number };

/** GET /api/admin/sanctions: the stored versions and fetches, and the list this instance screens against. */
export async function sanctionsOverview(
  db: Database,
  deps: { sanctions: SanctionsRegistry },
  params: SanctionsOverviewParams,
) {
  return { ...(await listHistory(db, params)), instance: await deps.sanctions.status() };
}

export type ReloadSanctionsParams = { meta: RequestMeta; log: Logger };

/** The admin reload: reads the source again, makes every instance load the list, and audits the outcome. */
export async function reloadSanctionsList(
  db: Database,
  deps: { sanctions: SanctionsRegistry },
  params: ReloadSanctionsParams,
): Promise<SanctionsReload> {
  const { meta, log } = params;
  let result: SanctionsReload;
  try {
    result = await deps.sanctions.reload(log, meta);
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
      subjectId: String(result.version),
      details: {
        count: result.count,
        version: result.version,
        loadedAt: result.loadedAt.toISOString(),
        skippedRows: result.skippedRows,
        previousCount: result.previousCount,
      },
    }),
  );
  return result;
}

import { inArray } from "drizzle-orm";
import type { Database } from "../../db/client";
import { sanctionsSources } from "../../db/schema";
import { type ListFile, MalformedListError } from "./sanctions/list-files";

export type FetchedFile = ListFile & {
  url: string;
  /** 304: the body is the one stored at the last 200. */
  notModified: boolean;
  etag: string | null;
  lastModified: string | null;
};

export type FetchListParams = {
  urls: readonly string[];
  /** Send If-None-Match / If-Modified-Since from the last answer (a forced reload does not). */
  conditional: boolean;
  timeoutMs?: number;
};

const fileName = (url: string) => new URL(url).pathname.replace(/^.*\//, "") || url;

/**
 * GETs every list file, conditionally when asked. A short body (fewer bytes than Content-Length) is refused
 * here; a body cut at a row boundary is caught by the strict parse. Nothing is stored: the caller saves the
 * validators only once the files have made a version, so a refused download is fetched whole next time.
 */
export async function fetchListFiles(db: Database, params: FetchListParams): Promise<FetchedFile[]> {
  const stored = await db
    .select()
    .from(sanctionsSources)
    .where(inArray(sanctionsSources.url, [...params.urls]));
  const byUrl = new Map(stored.map((row) => [row.url, row]));
  return Promise.all(
    params.urls.map(async (url): Promise<FetchedFile> => {
      const previous = byUrl.get(url);
      const headers = new Headers();
      if (params.conditional && previous?.etag) headers.set("If-None-Match", previous.etag);
      if (params.conditional && previous?.lastModified)
        headers.set("If-Modified-Since", previous.lastModified);
      const response = await fetch(url, {
        headers,
        signal: AbortSignal.timeout(params.timeoutMs ?? 120_000),
      });
      if (response.status === 304 && previous) {
        return {
          url,
          name: fileName(url),
          text: previous.body,
          notModified: true,
          etag: previous.etag,
          lastModified: previous.lastModified,
        };
      }
      if (!response.ok) throw new MalformedListError(`${url} answered ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const declared = Number(response.headers.get("content-length") ?? Number.NaN);
      if (Number.isFinite(declared) && bytes.byteLength < declared) {
        throw new MalformedListError(`${url} ended after ${bytes.byteLength} of ${declared} bytes`);
      }
      return {
        url,
        name: fileName(url),
        text: new TextDecoder().decode(bytes),
        notModified: false,
        etag: response.headers.get("etag"),
        lastModified: response.headers.get("last-modified"),
      };
    }),
  );
}

/** Keeps each file's validators and body for the next conditional GET. */
export async function saveSources(db: Database, files: readonly FetchedFile[]): Promise<void> {
  for (const file of files) {
    if (file.notModified) continue;
    const values = {
      etag: file.etag,
      lastModified: file.lastModified,
      body: file.text,
      checkedAt: new Date(),
    };
    await db
      .insert(sanctionsSources)
      .values({ url: file.url, ...values })
      .onConflictDoUpdate({ target: sanctionsSources.url, set: values });
  }
}

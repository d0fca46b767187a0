import type { LoadedEngine } from "../engine";
import type { ModelArtifact } from "../gbdt/artifact";
import { loadScorecard } from "../scorecard/load";
import { renderModelCardPage } from "./page";
import { escapeHtml } from "./svg";

/** The page's policy: its own inline styles, nothing else (no script, no fetch, no font, no image). */
export const MODEL_CARD_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

// One page per artifact: the checks score a few tens of thousands of synthetic applicants, once.
const pages = new WeakMap<ModelArtifact, Promise<string>>();

/** The page of the loaded model (GET /docs/model), or null when this server does not score with the trees. */
export function modelCardPage(scoring: LoadedEngine): Promise<string> | null {
  if (scoring.engine !== "model") return null;
  const { model } = scoring;
  let page = pages.get(model);
  if (!page) {
    page = loadScorecard()
      .catch(() => null)
      .then((scorecard) => renderModelCardPage({ model, scorecard }));
    pages.set(model, page);
  }
  return page;
}

/** GET /docs/model as a response: the card, or a 404 page naming the engine that scores instead. */
export async function modelCardResponse(scoring: LoadedEngine): Promise<Response> {
  const headers = { "content-type": "text/html; charset=utf-8", "Content-Security-Policy": MODEL_CARD_CSP };
  const page = modelCardPage(scoring);
  if (!page) {
    const text = `No model card: this server scores with the ${scoring.engine} engine (${scoring.reason}).`;
    return new Response(`<!doctype html><title>No model card</title><p>${escapeHtml(text)}</p>`, {
      status: 404,
      headers,
    });
  }
  return new Response(await page, { headers });
}

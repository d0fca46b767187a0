import type { LoadedEngine } from "../credit/engine";
import { modelCardPage } from "../credit/model-card/cache";
import { escapeHtml } from "../credit/model-card/svg";

/** The page's policy: its own inline styles, nothing else (no script, no fetch, no font, no image). */
export const MODEL_CARD_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** GET /docs/model: the card, or a 404 page naming the engine that scores instead. */
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

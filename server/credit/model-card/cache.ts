import type { LoadedEngine } from "../engine";
import type { ModelArtifact } from "../gbdt/artifact";
import { loadScorecard } from "../scorecard/load";
import { renderModelCardPage } from "./page";

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

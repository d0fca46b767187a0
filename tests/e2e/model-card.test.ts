import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../server/app";
import type { AppDeps } from "../../server/context";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => Bun.file(path).size > 0);

let deps: AppDeps;
let server: TestServer;

beforeAll(async () => {
  deps = await testDeps();
  server = await startTestServer(deps);
});
afterAll(async () => {
  await server.stop();
});

describe("GET /docs/model", () => {
  it("is the model card as one self-contained page: metrics, inline SVG charts, features, data, fair-lending checks", async () => {
    if (deps.scoring.engine !== "model") throw new Error("the default engine is the boosted trees");
    const response = await fetch(`${server.url}/docs/model`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await response.text();
    const { model } = deps.scoring;
    expect(html).toContain(model.version);
    expect(html).toContain(model.metrics.holdout.auc.toFixed(4));
    expect(html).toContain("ROC curve on the holdout");
    expect(html).toContain("Calibration on the holdout");
    // One chart per feature, plus the ROC curve and the calibration plot.
    expect(html.match(/<svg /g)).toHaveLength(model.features.length + 2);
    for (const feature of model.features) expect(html).toContain(`id="feature-${feature.id}"`);
    expect(html).toContain(model.dataset.sha256);
    expect(html).toContain("Fair-lending checks");
    expect(html.match(/class="pass"/g)?.length).toBeGreaterThanOrEqual(6);
    expect(html).not.toContain('class="fail"');
    // Offline: nothing loaded from anywhere, no script.
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
  });

  it("is a 404 page naming the engine when the boosted trees do not score here", async () => {
    const rules = await testDeps({ SCORING_ENGINE: "rules" });
    const response = await createApp(rules).handle(new Request("http://localhost/docs/model"));
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("rules engine");
  });

  it("renders in a real headless browser (Debian's chromium)", async () => {
    if (!CHROMIUM) {
      console.warn(
        "chromium is missing (apt-get install chromium): the model card is not rendered in a browser",
      );
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "model-card-"));
    const screenshot = join(dir, "model-card.png");
    try {
      const run = Bun.spawn(
        [
          CHROMIUM,
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--hide-scrollbars",
          `--user-data-dir=${join(dir, "profile")}`,
          "--window-size=1100,1400",
          `--screenshot=${screenshot}`,
          `${server.url}/docs/model`,
        ],
        { stdout: "ignore", stderr: "ignore" },
      );
      expect(await run.exited).toBe(0);
      const png = readFileSync(screenshot);
      // A PNG of the window's size: the signature, then the IHDR chunk's width and height.
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(png.readUInt32BE(16)).toBe(1100);
      expect(png.readUInt32BE(20)).toBe(1400);
      // A blank page compresses to a few kilobytes; the card's text and charts do not.
      expect(png.length).toBeGreaterThan(50_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

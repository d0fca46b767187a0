import type { Evaluation } from "../calibration";
import type { ModelArtifact, ModelFeature } from "../gbdt/artifact";
import type { ScorecardArtifact } from "../scorecard/artifact";
import { type CardCheck, fairLendingChecks } from "./checks";
import { chart, escapeHtml as e, ticks } from "./svg";

/**
 * The model card as a page people can read (GET /docs/model): what the model is, how well it ranks and how
 * well its probabilities hold on the holdout, what each feature does to a score, where the data came from and
 * what is odd about it, and the fair-lending checks with their results. Self-contained: inline styles and SVG,
 * no script, nothing fetched.
 */

export type ModelCardPageParams = {
  model: ModelArtifact;
  /** The previous engine, for the holdout comparison; absent when its artifact is. */
  scorecard: ScorecardArtifact | null;
};

const pct = (value: number, digits = 1) => `${(value * 100).toFixed(digits)} %`;
const num = (value: number, digits = 4) => value.toFixed(digits);

const STYLE = `
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1040px; padding: 1.5rem; color: #1d2330; }
  h1 { margin-bottom: .25rem; } .lead { color: #4a5160; margin-top: 0; }
  h2 { border-bottom: 1px solid #ddd; padding-bottom: .25rem; margin-top: 2.25rem; }
  h3 { margin: 1.25rem 0 .25rem; font-size: 1rem; }
  table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: 14px; }
  th, td { border: 1px solid #e3e6ec; padding: 4px 10px; text-align: right; }
  th:first-child, td:first-child { text-align: left; } thead th { background: #f5f7fa; }
  figure { margin: 0; } .charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
  .feature { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; border-top: 1px solid #eee; padding-top: .5rem; }
  svg { background: #fff; border: 1px solid #e3e6ec; border-radius: 6px; }
  svg .tick { font-size: 11px; fill: #555; } svg .axis { font-size: 12px; fill: #333; } svg .value { font-size: 10px; fill: #1d2330; }
  .pass { color: #2f7d32; font-weight: 600; } .fail { color: #b3261e; font-weight: 600; }
  .muted { color: #666; font-size: 13px; } code { background: #f5f7fa; padding: 0 3px; }
`;

function metricsRow(
  name: string,
  m: Omit<Evaluation, "brier"> & { brier?: number },
  headline = false,
): string {
  const label = headline ? `<strong>${e(name)}</strong>` : e(name);
  return `<tr><td>${label}</td><td>${m.rows.toLocaleString("en-US")}</td><td>${num(m.auc)}</td><td>${num(m.gini)}</td><td>${num(m.ks)}</td><td>${m.brier === undefined ? "–" : num(m.brier)}</td></tr>`;
}

function metricsTable({ model, scorecard }: ModelCardPageParams): string {
  const rows = [
    ...(scorecard ? [metricsRow(`Scorecard ${scorecard.version}: holdout`, scorecard.metrics.holdout)] : []),
    metricsRow("Boosted trees: training part", model.metrics.train),
    metricsRow("Boosted trees: validation part", model.metrics.validation),
    metricsRow("Boosted trees: holdout", model.metrics.holdout, true),
  ];
  return `<table><thead><tr><th>Model and rows</th><th>Rows</th><th>AUC</th><th>Gini</th><th>KS</th><th>Brier</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function rocChart(model: ModelArtifact): string {
  const points = model.metrics.holdoutDetail.roc.map(([x, y]) => ({ x, y }));
  const axis = { min: 0, max: 1, ticks: ticks(0, 1, 0.2), format: (v: number) => v.toFixed(1) };
  return chart({
    title: `ROC curve on the holdout (AUC ${num(model.metrics.holdout.auc)})`,
    width: 460,
    height: 400,
    x: { ...axis, label: "False-positive rate (goods declined)" },
    y: { ...axis, label: "True-positive rate (bads caught)" },
    series: [
      {
        points: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
        line: true,
        color: "#aaa",
        dashed: true,
      },
      { points, line: true, color: "#1f5fbf" },
    ],
  });
}

function calibrationChart(model: ModelArtifact): string {
  const buckets = model.metrics.holdoutDetail.calibration;
  const top = Math.max(...buckets.map((b) => Math.max(b.predicted, b.observed)));
  const max = Math.ceil(top * 20) / 20;
  const axis = {
    min: 0,
    max,
    ticks: ticks(0, max, max > 0.2 ? 0.1 : 0.05),
    format: (v: number) => pct(v, 0),
  };
  return chart({
    title: "Calibration on the holdout: predicted against observed default rate, ten score buckets",
    width: 460,
    height: 400,
    x: { ...axis, label: "Predicted probability of default" },
    y: { ...axis, label: "Observed default rate" },
    series: [
      {
        points: [
          { x: 0, y: 0 },
          { x: max, y: max },
        ],
        line: true,
        color: "#aaa",
        dashed: true,
      },
      { points: buckets.map((b) => ({ x: b.predicted, y: b.observed })), line: true, color: "#8a5a00" },
      { points: buckets.map((b) => ({ x: b.predicted, y: b.observed, label: "" })), color: "#8a5a00" },
    ],
  });
}

function calibrationTable(model: ModelArtifact): string {
  const rows = model.metrics.holdoutDetail.calibration.map(
    (b) =>
      `<tr><td>${b.scoreFrom}–${b.scoreTo}</td><td>${b.rows.toLocaleString("en-US")}</td><td>${pct(b.predicted, 2)}</td><td>${pct(b.observed, 2)}</td></tr>`,
  );
  return `<table><thead><tr><th>Scores</th><th>Rows</th><th>Predicted</th><th>Observed</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

const DIRECTION: Record<ModelFeature["direction"], string> = {
  nonIncreasing: "constrained: the score never rises with it",
  nonDecreasing: "constrained: the score never falls with it",
  free: "unconstrained",
};

/** One feature's shape: the mean points its bins gave on the training rows, each point labelled. */
function featureSection(feature: ModelFeature): string {
  const bins = feature.bins.map((bin, i) => ({ x: i, y: bin.points, label: bin.points.toFixed(1) }));
  const missing = feature.missing.points;
  const all = [...bins.map((b) => b.y), ...(missing === null ? [] : [missing]), 0];
  const low = Math.floor(Math.min(...all) / 10) * 10;
  const high = Math.ceil(Math.max(...all) / 10) * 10;
  const step = high - low > 80 ? 20 : 10;
  const xTicks = bins.map((b) => b.x);
  const series = [
    {
      points: [
        { x: -0.5, y: 0 },
        { x: bins.length - 0.5, y: 0 },
      ],
      line: true,
      color: "#bbb",
      dashed: true,
    },
    { points: bins, line: true, color: "#1f5fbf" },
    { points: bins, color: "#1f5fbf" },
  ];
  const svg = chart({
    title: `${feature.label}: mean points by value`,
    width: 560,
    height: 300,
    x: {
      min: -0.5,
      max: bins.length - 0.5,
      ticks: xTicks,
      tickLabels: feature.bins.map((bin) => bin.label),
      slanted: feature.bins.some((bin) => bin.label.length > 7),
      format: String,
      label: feature.label,
    },
    y: { min: low, max: high, ticks: ticks(low, high, step), format: (v) => String(v), label: "Points" },
    series,
  });
  const rows = [
    ...feature.bins.map(
      (bin) =>
        `<tr><td>${e(bin.label)}</td><td>${pct(bin.share)}</td><td>${pct(bin.badRate)}</td><td>${bin.points.toFixed(1)}</td></tr>`,
    ),
    ...(feature.missing.count > 0
      ? [
          `<tr><td>missing</td><td>${pct(feature.missing.share)}</td><td>${feature.missing.badRate === null ? "–" : pct(feature.missing.badRate)}</td><td>${missing === null ? "–" : missing.toFixed(1)}</td></tr>`,
        ]
      : []),
  ];
  return `<div class="feature" id="feature-${feature.id}"><div><h3>${e(feature.label)}</h3>
<p class="muted">Importance ${pct(feature.importance)} of the trees' gain; ${DIRECTION[feature.direction]}. Reads <code>${e(feature.inputs.join(", "))}</code>.</p>
${svg}</div>
<table><thead><tr><th>Value</th><th>Share</th><th>Bad rate</th><th>Mean points</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

function checksTable(checks: readonly CardCheck[]): string {
  const rows = checks.map(
    (check) =>
      `<tr><td>${e(check.name)}<div class="muted">${e(check.rule)}</div></td><td class="${check.passed ? "pass" : "fail"}">${check.passed ? "pass" : "FAIL"}</td><td style="text-align:left">${e(check.result)}</td></tr>`,
  );
  return `<table><thead><tr><th>Check</th><th>Result</th><th style="text-align:left">What it covered</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function dataSection(model: ModelArtifact): string {
  const d = model.dataset;
  const quirks = Object.values(d.quirks ?? {}).map((text) => `<li>${e(String(text))}</li>`);
  return `<p>${e(d.name)}, ${e(d.publisher)} ${d.year} (<code>${e(d.url)}</code>): ${d.rows.toLocaleString("en-US")} borrowers,
${d.bad.toLocaleString("en-US")} of them (${pct(d.bad / d.rows, 3)}) 90 days or more past due within two years (the label).
File <code>${e(d.file)}</code>, ${d.bytes.toLocaleString("en-US")} bytes, SHA-256 <code>${e(d.sha256)}</code>.
Split 70/30, stratified and seeded as the scorecard's: ${d.trainRows.toLocaleString("en-US")} training rows, ${d.holdoutRows.toLocaleString("en-US")} holdout rows that played no part in fitting, stopping, calibration or tuning.</p>
<p><strong>Terms.</strong> ${e(d.terms)}</p>
<p><strong>Quirks, and how training handled each:</strong></p><ul>${quirks.join("")}
<li>DebtRatio is not a ratio where income is missing or zero: there it holds an amount (27,904 of the 35,137 rows above 1 have no income), so it counts as missing.</li>
<li>The label is imbalanced (6.684 % bad): splits are stratified, and the figures are AUC, Gini, KS and Brier, never accuracy.</li>
<li>The population is a 2011 US consumer sample: no wallet, inquiry or credit-history-length data, so those inputs do not reach the trees (only the rules engine reads them).</li></ul>`;
}

function methodSection(model: ModelArtifact): string {
  const b = model.method.boosting;
  return `<ul>
<li>${model.trees.length} trees kept (of ${b.treesGrown} grown before early stopping), of depth ${b.maxDepth} at most, learning rate ${b.learningRate}, L2 penalty ${b.lambda}, at least ${b.minChildRows} rows per leaf, histograms of ${model.method.histogram.maxBins} bins; early stopping after ${b.earlyStoppingRounds} rounds without gain on the validation part (${pct(model.method.validation.share, 0)} of the training rows, never the holdout).</li>
<li>Tuning: ${e(model.method.tuning)}.</li>
<li>Scaling: ${model.scaling.baseScore} points at ${model.scaling.baseOdds}:1 good:bad odds, ${model.scaling.pdo} points to double the odds, clamped to ${model.scaling.minScore}–${model.scaling.maxScore}. The reference applicant (the training population's expected margin) scores ${model.reference.score.toFixed(1)}.</li>
<li>Probability of default: ${e(model.method.calibration)}.</li>
<li>Reasons: exact per-feature points by path-dependent TreeSHAP, summing to the score; the four features that cost the most points against the reference applicant, never age.</li>
<li>Missing inputs: an input a borrower leaves out scores as the worst value they could have declared (jointly over all they left out), so leaving something out never pays.</li>
</ul>`;
}

/** The whole page, as HTML. */
export function renderModelCardPage(params: ModelCardPageParams): string {
  const { model } = params;
  const holdout = model.metrics.holdout;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>BlockScore credit model card: ${e(model.version)}</title><style>${STYLE}</style></head>
<body>
<h1>Credit model card</h1>
<p class="lead"><code>${e(model.version)}</code>. ${e(model.description)}</p>
<p>Holdout: AUC <strong>${num(holdout.auc)}</strong>, Gini ${num(holdout.gini)}, KS ${num(holdout.ks)}, Brier ${num(holdout.brier)} on ${holdout.rows.toLocaleString("en-US")} applicants it never saw. Machine-readable: <a href="/api/credit/model">/api/credit/model</a>.</p>
<h2 id="metrics">How well it ranks and predicts</h2>
${metricsTable(params)}
<p class="muted">AUC: the chance a random bad scores below a random good. Gini = 2·AUC − 1. KS: the largest gap between the bads' and the goods' cumulative score distributions. Brier: the mean squared error of the probability of default.</p>
<div class="charts"><figure>${rocChart(model)}<figcaption class="muted">ROC curve; the dashed line is a coin toss.</figcaption></figure>
<figure>${calibrationChart(model)}<figcaption class="muted">Calibration; on the dashed line the predicted rate is the observed one.</figcaption></figure></div>
${calibrationTable(model)}
<h2 id="features">What each feature does to a score</h2>
<p>Each point is the mean number of points the feature gave the training rows in that range, against the reference applicant (trees combine features, so an applicant's own points can differ).</p>
${model.features.map(featureSection).join("\n")}
<h2 id="fair-lending">Fair-lending checks</h2>
${checksTable(fairLendingChecks(model))}
<p class="muted">${e(model.fairLending.rule)}.</p>
<h2 id="data">Data: provenance and quirks</h2>
${dataSection(model)}
<h2 id="method">Method</h2>
${methodSection(model)}
</body></html>
`;
}

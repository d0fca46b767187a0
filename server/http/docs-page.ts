/**
 * A self-contained reader for /api/openapi.json: no CDN, no external asset, so it works offline and under a
 * strict Content-Security-Policy that allows only its own inline script and style.
 */
export const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BlockScore API</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 960px; padding: 1.5rem; color: #1d2330; }
  h1 { margin-bottom: 0; } .lead { color: #555; }
  h2 { border-bottom: 1px solid #ddd; padding-bottom: .25rem; margin-top: 2rem; text-transform: capitalize; }
  details { border: 1px solid #e3e6ec; border-radius: 6px; margin: .5rem 0; }
  summary { cursor: pointer; padding: .5rem .75rem; display: flex; gap: .75rem; align-items: baseline; }
  .method { font: 600 12px monospace; padding: 2px 6px; border-radius: 4px; color: #fff; min-width: 52px; text-align: center; }
  .GET { background: #2f7d32; } .POST { background: #1f5fbf; } .PATCH { background: #8a5a00; } .DELETE { background: #b3261e; } .PUT { background: #6a3fb5; }
  .path { font-family: monospace; } .lock { color: #8a5a00; font-size: 12px; }
  .body { padding: 0 .75rem .75rem; } pre { background: #f5f7fa; padding: .5rem; overflow: auto; font-size: 12px; }
</style>
</head>
<body>
<h1>BlockScore API</h1>
<p class="lead" id="lead">Loading <a href="/api/openapi.json">/api/openapi.json</a>…</p>
<div id="ops"></div>
<script>
const el = (tag, attrs, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, attrs || {});
  for (const child of children) node.append(child);
  return node;
};
const deref = (doc, schema) => {
  if (schema && schema.$ref) return doc.components.schemas[schema.$ref.split("/").pop()];
  return schema;
};
fetch("/api/openapi.json").then((r) => r.json()).then((doc) => {
  document.getElementById("lead").textContent = doc.info.description || "";
  const byTag = {};
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || "other";
      (byTag[tag] = byTag[tag] || []).push({ path, method: method.toUpperCase(), op });
    }
  }
  const root = document.getElementById("ops");
  for (const tag of Object.keys(byTag).sort()) {
    root.append(el("h2", { textContent: tag }));
    for (const { path, method, op } of byTag[tag]) {
      const body = el("div", { className: "body" });
      if (op.description) body.append(el("p", { textContent: op.description }));
      if (op.parameters && op.parameters.length) {
        body.append(el("h4", { textContent: "Parameters" }), el("pre", { textContent: JSON.stringify(op.parameters, null, 2) }));
      }
      const request = op.requestBody && op.requestBody.content["application/json"];
      if (request) body.append(el("h4", { textContent: "Request body" }), el("pre", { textContent: JSON.stringify(deref(doc, request.schema), null, 2) }));
      const ok = op.responses && op.responses["200"] && op.responses["200"].content;
      if (ok) body.append(el("h4", { textContent: "Response" }), el("pre", { textContent: JSON.stringify(deref(doc, ok["application/json"].schema), null, 2) }));
      const secured = op.security && op.security.length;
      root.append(el("details", {},
        el("summary", {}, el("span", { className: "method " + method, textContent: method }),
          el("span", { className: "path", textContent: "/api" + path }),
          el("span", { textContent: op.summary || "" }),
          secured ? el("span", { className: "lock", textContent: "requires auth" }) : ""),
        body));
    }
  }
});
</script>
</body>
</html>`;

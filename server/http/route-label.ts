import type { OpenAPIObject } from "trpc-to-openapi";

/**
 * The route template a request matched, for the metrics' `route` label: `/api/loans/{id}` rather than the path
 * with its id, `/trpc/<procedure>` for tRPC, and one label for every path that matched nothing, so a scan of
 * random URLs cannot grow the number of series without bound.
 */
export function routeLabeller(
  document: OpenAPIObject,
): (method: string, path: string, status: number) => string {
  const templates = Object.entries(document.paths ?? {}).map(([template, item]) => ({
    route: `/api${template}`,
    methods: new Set(Object.keys(item ?? {}).map((method) => method.toUpperCase())),
    pattern: new RegExp(`^/api${template.replace(/\{[^}]+\}/g, "[^/]+")}/?$`),
  }));
  const exact = new Set(["/api/openapi.json", "/docs", "/metrics"]);
  return (method, path, status) => {
    if (exact.has(path)) return path;
    if (path.startsWith("/trpc/")) {
      if (status === 404) return "/trpc/(unknown)";
      const procedure = path.slice("/trpc/".length);
      return procedure.includes(",") ? "/trpc/(batch)" : `/trpc/${procedure}`;
    }
    for (const template of templates) {
      if ((template.methods.has(method) || method === "OPTIONS") && template.pattern.test(path))
        return template.route;
    }
    return "(unmatched)";
  };
}

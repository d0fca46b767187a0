/**
 * The metrics' `route` label of a tRPC request: `/trpc/<procedure>`, one label for batches and one for unknown
 * procedures, so a scan of random URLs cannot grow the number of series without bound. REST routes are labelled
 * with their template (`/api/loans/{id}`) by the route table, anything unrouted `(unmatched)`.
 */
export function trpcRouteLabel(path: string, status: number): string {
  if (status === 404) return "/trpc/(unknown)";
  const procedure = path.slice("/trpc/".length);
  return procedure.includes(",") ? "/trpc/(batch)" : `/trpc/${procedure}`;
}

export const UNMATCHED_ROUTE = "(unmatched)";

import { z } from "zod";

/**
 * One dependency's health as the domains report it. It sits in the kernel so a domain can report its own
 * health without importing the health module that gathers every check.
 */
export const checkSchema = z.object({
  /** `down`: the dependency does not answer at all (the database); `error`: it answers wrongly or is unreachable. */
  status: z.enum(["ok", "error", "down", "not_configured"]),
  detail: z.string().optional(),
  info: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});
export type HealthCheck = z.infer<typeof checkSchema>;

import { z } from "zod";
import { userRoles } from "../../db/schema";
import { MAX_PASSWORD_LENGTH } from "./password";

export const emailSchema = z
  .string({ error: "email is required" })
  .trim()
  .toLowerCase()
  .max(254, "email must be at most 254 characters")
  .pipe(z.email({ error: "email must be a valid email address" }));

/** Strength is checked by the domain (it needs the name and email); here only the shape. */
export const passwordSchema = z
  .string({ error: "password is required" })
  .min(1, "password is required")
  .max(MAX_PASSWORD_LENGTH, `password must be at most ${MAX_PASSWORD_LENGTH} characters`);

export const publicUserSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(userRoles),
  mfaEnabled: z.boolean(),
  createdAt: z.date(),
});

export const sessionSummarySchema = z.object({
  id: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.date(),
  lastSeenAt: z.date(),
  expiresAt: z.date(),
  current: z.boolean(),
});

export const successSchema = z.object({ success: z.literal(true) });

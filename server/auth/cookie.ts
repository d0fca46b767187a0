import type { Config } from "../config";

type CookieConfig = Pick<Config, "SESSION_COOKIE_ENABLED" | "SESSION_COOKIE_NAME" | "SESSION_COOKIE_SECURE">;

/** The Set-Cookie value for a new session, or null while cookie sessions are off (bearer tokens only). */
export function sessionCookie(config: CookieConfig, token: string, expiresAt: Date): string | null {
  if (!config.SESSION_COOKIE_ENABLED) return null;
  const secure = config.SESSION_COOKIE_SECURE ? "; Secure" : "";
  return `${config.SESSION_COOKIE_NAME}=${token}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure}`;
}

export function clearedSessionCookie(config: CookieConfig): string | null {
  if (!config.SESSION_COOKIE_ENABLED) return null;
  const secure = config.SESSION_COOKIE_SECURE ? "; Secure" : "";
  return `${config.SESSION_COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`;
}

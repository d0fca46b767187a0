import type { Config } from "../config";

export function sessionCookie(config: Config, token: string, expiresAt: Date): string {
  const secure = config.SESSION_COOKIE_SECURE ? "; Secure" : "";
  return `${config.SESSION_COOKIE_NAME}=${token}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure}`;
}

export function clearedSessionCookie(config: Config): string {
  const secure = config.SESSION_COOKIE_SECURE ? "; Secure" : "";
  return `${config.SESSION_COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`;
}

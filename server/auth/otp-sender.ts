import type { Config } from "../config";

export type OtpChannel = "sms" | "email";
/** What the code is for: a sign-in code (the default), or an account-recovery link's token. */
export type OtpPurpose = "sign-in" | "email-verification" | "password-reset";
export type OtpMessage = { channel: OtpChannel; to: string; code: string; purpose?: OtpPurpose };

const wording: Record<OtpPurpose, { what: string; validity: string }> = {
  "sign-in": { what: "code", validity: "5 minutes" },
  "email-verification": { what: "email verification token", validity: "30 minutes" },
  "password-reset": { what: "password reset token", validity: "30 minutes" },
};

/** Delivers a one-time code; a provider that cannot is `null` and the factor reports unavailable. */
export type OtpSender = { name: string; send(message: OtpMessage): Promise<void> };

/** Development: the code goes to the server's output, where the developer reads it. */
export function consoleOtpSender(write: (line: string) => void = console.log): OtpSender {
  return {
    name: "console",
    async send({ channel, to, code, purpose = "sign-in" }) {
      const { what, validity } = wording[purpose];
      write(`[otp] ${channel} to ${to}: your BlockScore ${what} is ${code} (valid ${validity})`);
    },
  };
}

/** Production: POST { channel, to, message } as JSON to a gateway (an SMS or email relay) with a bearer token. */
export function httpOtpSender(url: string, token: string | undefined): OtpSender {
  return {
    name: "http",
    async send({ channel, to, code, purpose = "sign-in" }) {
      const { what, validity } = wording[purpose];
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({
          channel,
          to,
          purpose,
          message: `Your BlockScore ${what} is ${code}. It expires in ${validity}.`,
        }),
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) throw new Error(`OTP gateway answered ${response.status}`);
    },
  };
}

export function createOtpSender(
  config: Pick<Config, "OTP_PROVIDER" | "OTP_HTTP_URL" | "OTP_HTTP_TOKEN">,
): OtpSender | null {
  if (config.OTP_PROVIDER === "console") return consoleOtpSender();
  if (config.OTP_PROVIDER === "http" && config.OTP_HTTP_URL)
    return httpOtpSender(config.OTP_HTTP_URL, config.OTP_HTTP_TOKEN);
  return null;
}

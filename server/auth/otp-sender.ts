import type { Config } from "../config";

export type OtpChannel = "sms" | "email";
export type OtpMessage = { channel: OtpChannel; to: string; code: string };

/** Delivers a one-time code; a provider that cannot is `null` and the factor reports unavailable. */
export type OtpSender = { name: string; send(message: OtpMessage): Promise<void> };

/** Development: the code goes to the server's output, where the developer reads it. */
export function consoleOtpSender(write: (line: string) => void = console.log): OtpSender {
  return {
    name: "console",
    async send({ channel, to, code }) {
      write(`[otp] ${channel} to ${to}: your BlockScore code is ${code} (valid 5 minutes)`);
    },
  };
}

/** Production: POST { channel, to, message } as JSON to a gateway (an SMS or email relay) with a bearer token. */
export function httpOtpSender(url: string, token: string | undefined): OtpSender {
  return {
    name: "http",
    async send({ channel, to, code }) {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({
          channel,
          to,
          message: `Your BlockScore code is ${code}. It expires in 5 minutes.`,
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

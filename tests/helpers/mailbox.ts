import type { OtpMessage, OtpPurpose, OtpSender } from "../../server/auth/otp-sender";

/** The test provider: every message sent is kept, so a test reads the code or token as the user would. */
export type Mailbox = OtpSender & { messages: OtpMessage[]; latest(to: string, purpose: OtpPurpose): string };

export function testMailbox(): Mailbox {
  const messages: OtpMessage[] = [];
  return {
    name: "test",
    messages,
    async send(message) {
      messages.push(message);
    },
    latest(to, purpose) {
      const found = messages.findLast(
        (message) => message.to === to && (message.purpose ?? "sign-in") === purpose,
      );
      if (!found) throw new Error(`no ${purpose} message was sent to ${to}`);
      return found.code;
    },
  };
}

export function isMailbox(sender: OtpSender | null): sender is Mailbox {
  return sender !== null && "latest" in sender;
}

/** The token of a console provider's line for `to` (as a developer reads it in the server's output). */
export function tokenFromLog(log: string, to: string, purpose: Exclude<OtpPurpose, "sign-in">): string {
  const what = purpose === "email-verification" ? "email verification token" : "password reset token";
  const lines = log.split("\n").filter((line) => line.includes(`email to ${to}:`) && line.includes(what));
  const token = /token is (\S+)/.exec(lines.at(-1) ?? "")?.[1];
  if (!token) throw new Error(`no ${purpose} token for ${to} in the log`);
  return token;
}

import { SIGNATURE_HEADER, verifySignature } from "../../server/security/signature";

/** One request as the receiver saw it. */
export type ReceivedRequest = {
  path: string;
  eventId: string;
  type: string;
  loanId: string | null;
  signatureValid: boolean;
  answered: number;
  body: string;
};

/**
 * A client app's webhook receiver on a real port, written the way its documentation asks: check the signature,
 * apply each event's effect once (the event id is the dedupe key), answer 2xx. `loseAck` makes it apply an
 * event and then answer 500 the first time, as a receiver that crashed before acknowledging would.
 */
export function startWebhookReceiver() {
  const secrets = new Map<string, string>();
  const requests: ReceivedRequest[] = [];
  const applied: { path: string; eventId: string; type: string; loanId: string | null }[] = [];
  const seen = new Set<string>();
  const loseAck = new Set<string>();
  const refuse = new Set<string>();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      const body = await request.text();
      const secret = secrets.get(path) ?? "";
      const check = verifySignature(secret, request.headers.get(SIGNATURE_HEADER), body);
      const event = JSON.parse(body) as { id: string; type: string; data: { loanId?: string } };
      const record: ReceivedRequest = {
        path,
        eventId: event.id,
        type: event.type,
        loanId: event.data.loanId ?? null,
        signatureValid: check.ok && request.headers.get("BlockScore-Event-Id") === event.id,
        answered: 200,
        body,
      };
      requests.push(record);
      if (!record.signatureValid) {
        record.answered = 400;
        return new Response("bad signature", { status: 400 });
      }
      if (refuse.has(`${path}:${event.type}`)) {
        record.answered = 503;
        return new Response("down", { status: 503 });
      }
      const key = `${path}:${event.id}`;
      if (!seen.has(key)) {
        seen.add(key);
        applied.push({ path, eventId: event.id, type: event.type, loanId: record.loanId });
      }
      const lost = `${path}:${event.type}:${record.loanId}`;
      if (loseAck.delete(lost)) {
        record.answered = 500;
        return new Response("crashed before acknowledging", { status: 500 });
      }
      record.answered = 204;
      return new Response(null, { status: 204 });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port as number,
    secrets,
    requests,
    applied,
    /** The next `type` event of `loanId` at `path` is applied, then answered with 500 (once). */
    loseAckOnce(path: string, type: string, loanId: string) {
      loseAck.add(`${path}:${type}:${loanId}`);
    },
    /** Every `type` event at `path` is answered 503, without effect. */
    refuseAlways(path: string, type: string) {
      refuse.add(`${path}:${type}`);
    },
    stop: () => server.stop(true),
  };
}

/**
 * `/whatsapp` on the bot's HTTP server (server/http-server.ts), in Telegram polling and webhook mode
 * alike. GET answers Meta's subscription check; POST takes a webhook only with a valid
 * X-Hub-Signature-256 (401 without one, 403 with a wrong one: nothing is stored), stores its
 * messages and statuses (inbound.ts) and only then answers 200. The database away: 503, and Meta
 * delivers it again. Handling happens afterwards (worker.ts), so the answer is fast.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Logger } from "../logger";
import type { WhatsAppSettings } from "./settings";
import { parseWebhook, verifySignature, verifySubscription } from "./webhook";
import { storeEvents, type StoreResult } from "./inbound";

export const WHATSAPP_PATH = "/whatsapp";
export const SIGNATURE_HEADER = "x-hub-signature-256";

export interface WhatsAppEndpointDeps {
  logger: Logger;
  clock: () => Date;
  /** Stores the events and handles them (worker.ts); without it they are only stored. */
  inbox?: { store: typeof storeEvents };
  /** Called after new messages were stored. */
  onStored?: (result: StoreResult) => void;
}

export function whatsappEndpoint(settings: Pick<WhatsAppSettings, "appSecret" | "verifyToken">, deps: WhatsAppEndpointDeps) {
  return {
    path: WHATSAPP_PATH,
    get(query: URLSearchParams) {
      const challenge = verifySubscription(query, settings.verifyToken);
      if (challenge === null) {
        deps.logger.warn({ mode: query.get("hub.mode") }, "WhatsApp subscription check refused: wrong verify token");
        return { status: 403, text: "forbidden" };
      }
      deps.logger.info("WhatsApp webhook subscription verified");
      return { status: 200, text: challenge };
    },
    async post(body: Buffer, headers: IncomingHttpHeaders) {
      const header = headers[SIGNATURE_HEADER];
      if (typeof header !== "string") {
        deps.logger.warn("WhatsApp webhook refused: no signature");
        return { status: 401, body: { error: "signature required" } };
      }
      // Never log the header: a near-miss of a valid signature tells an attacker something.
      if (!verifySignature(body, header, settings.appSecret)) {
        deps.logger.warn("WhatsApp webhook refused: wrong signature");
        return { status: 403, body: { error: "bad signature" } };
      }
      let json: unknown;
      try {
        json = JSON.parse(body.toString("utf8"));
      } catch {
        return { status: 400, body: { error: "not JSON" } };
      }
      const events = parseWebhook(json);
      let result: StoreResult;
      try {
        result = await (deps.inbox ?? { store: storeEvents }).store(events, deps.clock());
      } catch (err) {
        deps.logger.warn({ err: String(err) }, "WhatsApp webhook not stored (database unavailable): Meta is asked to send it again");
        return { status: 503, body: { error: "try again" } };
      }
      if (result.duplicates) deps.logger.info({ duplicates: result.duplicates }, "WhatsApp webhook: messages already stored");
      if (result.messages) deps.onStored?.(result);
      return { status: 200, body: {} };
    },
  };
}

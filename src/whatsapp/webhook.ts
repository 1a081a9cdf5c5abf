/**
 * Meta's webhook for the WhatsApp Cloud API, as pure functions (no I/O): the subscription check
 * (GET), the body's signature (X-Hub-Signature-256: HMAC-SHA256 of the raw body with the app
 * secret) and the body parsed into the events the channel handles. Tolerant of fields Meta adds;
 * a malformed part is skipped, never thrown.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type InboundContent =
  | { type: "text"; text: string }
  | { type: "button" | "list"; id: string; title: string }
  | { type: "image"; mediaId: string; caption?: string; mime?: string }
  | { type: "audio"; mediaId: string; voice: boolean; mime?: string }
  | { type: "unsupported"; original: string };

export interface InboundEvent {
  kind: "message";
  wamid: string;
  /** The sender's number (absent for a user with a username who hides it). */
  from?: string;
  /** Meta's business-scoped user id (e.g. "US.1349…"), where given. */
  userId?: string;
  name?: string;
  /** The message of ours the member replied to (quoted), when they did. */
  replyTo?: string;
  at: Date;
  content: InboundContent;
}

export type DeliveryStatus = "sent" | "delivered" | "read" | "failed";

export interface StatusEvent {
  kind: "status";
  wamid: string;
  status: DeliveryStatus;
  at: Date;
  errors?: { code: number; title?: string; details?: string }[];
}

export type WebhookEvent = InboundEvent | StatusEvent;

/** GET /whatsapp: the challenge to echo when Meta subscribes with our verify token, else null. */
export function verifySubscription(query: URLSearchParams, verifyToken: string): string | null {
  if (query.get("hub.mode") !== "subscribe") return null;
  const token = query.get("hub.verify_token");
  const challenge = query.get("hub.challenge");
  if (token === null || challenge === null || !sameText(token, verifyToken)) return null;
  return challenge;
}

/** Whether `header` is `sha256=<hex>` of the raw body under the app secret (constant-time). */
export function verifySignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? "");
  if (!m) return false;
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  const given = Buffer.from(m[1].toLowerCase(), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sameText(a: string, b: string): boolean {
  const x = createHmac("sha256", "cmp").update(a).digest();
  const y = createHmac("sha256", "cmp").update(b).digest();
  return timingSafeEqual(x, y);
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

function timeOf(v: unknown): Date | undefined {
  const n = typeof v === "string" ? Number(v) : typeof v === "number" ? v : NaN;
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000) : undefined;
}

function contentOf(m: Json): InboundContent {
  const type = str(m.type) ?? "unknown";
  if (type === "text") {
    const body = str(obj(m.text)?.body);
    return body ? { type: "text", text: body } : { type: "unsupported", original: type };
  }
  if (type === "interactive") {
    const i = obj(m.interactive);
    const reply = obj(i?.button_reply) ?? obj(i?.list_reply);
    const id = str(reply?.id);
    if (id) return { type: i?.button_reply ? "button" : "list", id, title: str(reply?.title) ?? "" };
    return { type: "unsupported", original: type };
  }
  if (type === "button") {
    // A template's quick-reply button: its payload (or its text).
    const b = obj(m.button);
    const id = str(b?.payload) ?? str(b?.text);
    return id ? { type: "button", id, title: str(b?.text) ?? "" } : { type: "unsupported", original: type };
  }
  if (type === "image") {
    const img = obj(m.image);
    const mediaId = str(img?.id);
    if (!mediaId) return { type: "unsupported", original: type };
    const caption = str(img?.caption);
    const mime = str(img?.mime_type);
    return { type: "image", mediaId, ...(caption ? { caption } : {}), ...(mime ? { mime } : {}) };
  }
  if (type === "audio") {
    const a = obj(m.audio);
    const mediaId = str(a?.id);
    if (!mediaId) return { type: "unsupported", original: type };
    const mime = str(a?.mime_type);
    return { type: "audio", mediaId, voice: a?.voice === true, ...(mime ? { mime } : {}) };
  }
  return { type: "unsupported", original: type };
}

/** The messages and statuses of a webhook body (already JSON-parsed); anything malformed is skipped. */
export function parseWebhook(body: unknown): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  const root = obj(body);
  if (root?.object !== "whatsapp_business_account") return events;
  for (const entry of arr(root.entry)) {
    for (const change of arr(obj(entry)?.changes)) {
      const c = obj(change);
      if (c?.field !== "messages") continue;
      const value = obj(c.value);
      if (!value) continue;
      const contacts = arr(value.contacts)
        .map(obj)
        .filter((x): x is Json => x !== undefined);
      for (const raw of arr(value.messages)) {
        const m = obj(raw);
        const wamid = str(m?.id);
        const at = timeOf(m?.timestamp);
        if (!m || !wamid || !at) continue;
        const from = str(m.from);
        const contact =
          contacts.find((x) => (from && str(x.wa_id) === from) || (str(m.from_user_id) && str(x.user_id) === str(m.from_user_id))) ??
          (contacts.length === 1 ? contacts[0] : undefined);
        const userId = str(m.from_user_id) ?? str(contact?.user_id);
        if (!from && !userId) continue;
        const name = str(obj(contact?.profile)?.name);
        // A reply (the member quoted one of our messages): which one.
        const replyTo = str(obj(m.context)?.id);
        events.push({
          kind: "message",
          wamid,
          ...(from ? { from } : {}),
          ...(userId ? { userId } : {}),
          ...(name ? { name } : {}),
          ...(replyTo ? { replyTo } : {}),
          at,
          content: contentOf(m),
        });
      }
      for (const raw of arr(value.statuses)) {
        const s = obj(raw);
        const wamid = str(s?.id);
        const status = str(s?.status);
        const at = timeOf(s?.timestamp);
        if (!s || !wamid || !at || !status || !["sent", "delivered", "read", "failed"].includes(status)) continue;
        const errors = arr(s.errors)
          .map(obj)
          .filter((e): e is Json => e !== undefined && typeof e.code === "number")
          .map((e) => ({
            code: e.code as number,
            ...(str(e.title) ? { title: str(e.title) } : {}),
            ...(str(obj(e.error_data)?.details) ? { details: str(obj(e.error_data)?.details) } : {}),
          }));
        events.push({ kind: "status", wamid, status: status as DeliveryStatus, at, ...(errors.length ? { errors } : {}) });
      }
    }
  }
  return events;
}

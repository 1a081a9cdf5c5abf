/**
 * A strict fake of Meta's Graph API for the WhatsApp channel's tests (WHATSAPP_API_ROOT points here).
 * It refuses what Meta refuses, with Meta's codes: a wrong token (401, 190); text over 4096 (100);
 * interactive messages beyond the limits (more than 3 buttons, a title over 20, more than 10 list
 * rows, a row title over 24, a description over 72, a body over 1024, a list button over 20,
 * duplicate ids: 131009); a free-form message outside the 24-hour window (131047); an unknown
 * template (132001), a wrong parameter count (132000), a parameter with a newline, a tab or more
 * than four spaces in a row (132018). Faults can be injected. Every accepted and refused message is
 * recorded, and HTML that reached a member is recorded as a defect (`htmlLeaks`).
 */
import http from "node:http";
import { createHmac, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

export const FAKE_VERSION = "v24.0";
const DAY_MS = 24 * 3600_000;

export interface SentMessage {
  to: string;
  type: string;
  payload: Record<string, unknown>;
  wamid: string;
  at: number;
}

export interface Fault {
  status: number;
  code: number;
  details?: string;
  /** Drop the connection instead of answering. */
  drop?: boolean;
}

type Json = Record<string, unknown>;

export class FakeGraphApi {
  private server?: http.Server;
  url = "";
  readonly sent: SentMessage[] = [];
  readonly refused: { to?: string; code: number; details: string; payload: Json }[] = [];
  readonly htmlLeaks: string[] = [];
  readonly media = new Map<string, { bytes: Buffer; mime: string }>();
  private lastInbound = new Map<string, number>();
  private templates = new Map<string, number>();
  private faults: Fault[] = [];
  private seq = 0;
  clock: () => number = () => Date.now();

  constructor(
    readonly token: string,
    readonly phoneNumberId: string,
  ) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/${FAKE_VERSION}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The member wrote to the business at `at` (opens the 24-hour window). */
  inbound(from: string, at = this.clock()): void {
    this.lastInbound.set(from, at);
  }

  approveTemplate(name: string, language: string, bodyParams: number): void {
    this.templates.set(`${name}:${language}`, bodyParams);
  }

  /** Random faults on message sends (the chaos test): about `rate` of them fail with a 500, a 130429 or a dropped connection. */
  chaos?: { rate: number; rng: () => number };
  faultsInjected = 0;
  private static readonly CHAOS_FAULTS: Fault[] = [
    { status: 500, code: 131000, details: "Something went wrong" },
    { status: 429, code: 130429, details: "Rate limit hit" },
    { status: 0, code: 0, drop: true },
  ];

  /** The next `n` message sends fail with this fault. */
  failNext(n: number, fault: Fault): void {
    for (let i = 0; i < n; i++) this.faults.push(fault);
  }

  addMedia(bytes: Buffer, mime: string): string {
    const id = `${1_000_000_000_000 + ++this.seq}`;
    this.media.set(id, { bytes, mime });
    return id;
  }

  /** The texts a member received (bodies of text and interactive messages, template parameters). */
  textsTo(to: string): string[] {
    return this.sent
      .filter((m) => m.to === to)
      .map((m) => {
        const p = m.payload as { text?: { body?: string }; interactive?: { body?: { text?: string } }; template?: { components?: { parameters?: { text?: string }[] }[] } };
        return p.text?.body ?? p.interactive?.body?.text ?? p.template?.components?.[0]?.parameters?.map((x) => x.text).join(" | ") ?? "";
      });
  }

  private error(res: http.ServerResponse, status: number, code: number, details: string, record?: { to?: string; payload: Json }) {
    if (record) this.refused.push({ to: record.to, code, details, payload: record.payload });
    const body = JSON.stringify({ error: { message: details, type: "OAuthException", code, error_data: { messaging_product: "whatsapp", details }, fbtrace_id: "Afake" } });
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const path = (req.url ?? "").split("?")[0];
    if (path.startsWith("/media-download/")) {
      if (req.headers.authorization !== `Bearer ${this.token}`) return this.error(res, 401, 190, "Invalid OAuth access token");
      const m = this.media.get(path.slice("/media-download/".length));
      if (!m) return this.error(res, 404, 100, "Unknown media");
      res.writeHead(200, { "content-type": m.mime, "content-length": m.bytes.length });
      return void res.end(m.bytes);
    }
    if (!path.startsWith(`/${FAKE_VERSION}/`)) return this.error(res, 400, 2500, `Unknown path ${path}`);
    if (req.headers.authorization !== `Bearer ${this.token}`) return this.error(res, 401, 190, "Invalid OAuth access token");
    const rest = path.slice(FAKE_VERSION.length + 2);
    if (req.method === "GET" && this.media.has(rest)) {
      const m = this.media.get(rest)!;
      const origin = this.url.slice(0, this.url.lastIndexOf("/"));
      const body = { url: `${origin}/media-download/${rest}`, mime_type: m.mime, sha256: "x", file_size: m.bytes.length, id: rest, messaging_product: "whatsapp" };
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify(body));
    }
    if (req.method === "POST" && rest === `${this.phoneNumberId}/media`) {
      const type = String(req.headers["content-type"]);
      const form = type.startsWith("multipart/form-data") ? await new Response(raw, { headers: { "content-type": type } }).formData().catch(() => null) : null;
      const file = form?.get("file");
      if (!form || form.get("messaging_product") !== "whatsapp" || typeof form.get("type") !== "string" || !file || typeof file === "string")
        return this.error(res, 400, 100, "media upload must be multipart with messaging_product, type and file");
      const id = this.addMedia(Buffer.from(await file.arrayBuffer()), String(form.get("type")));
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ id }));
    }
    if (req.method !== "POST" || rest !== `${this.phoneNumberId}/messages`) return this.error(res, 400, 100, `Unsupported ${req.method} ${rest}`);
    let body: Json;
    try {
      body = JSON.parse(raw.toString("utf8")) as Json;
    } catch {
      return this.error(res, 400, 100, "body is not JSON");
    }
    const to = typeof body.to === "string" ? body.to : undefined;
    let fault = this.faults.shift();
    if (!fault && this.chaos && this.chaos.rng() < this.chaos.rate) fault = FakeGraphApi.CHAOS_FAULTS[Math.floor(this.chaos.rng() * FakeGraphApi.CHAOS_FAULTS.length)];
    if (fault) this.faultsInjected++;
    if (fault?.drop) return void req.socket.destroy();
    if (fault) return this.error(res, fault.status, fault.code, fault.details ?? `injected ${fault.code}`, { to, payload: body });
    const refusal = this.check(body, to);
    if (refusal) return this.error(res, 400, refusal.code, refusal.details, { to, payload: body });
    const wamid = `wamid.${randomBytes(12).toString("base64url")}`;
    this.sent.push({ to: to!, type: String(body.type), payload: body, wamid, at: this.clock() });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ messaging_product: "whatsapp", contacts: [{ input: to, wa_id: to }], messages: [{ id: wamid }] }));
  }

  /** Meta's refusal of a message, or null. */
  private check(body: Json, to: string | undefined): { code: number; details: string } | null {
    const len = (s: unknown) => [...String(s ?? "")].length;
    if (body.messaging_product !== "whatsapp") return { code: 100, details: "messaging_product must be whatsapp" };
    if (!to || !/^\d{6,15}$/.test(to)) return { code: 100, details: "to must be the recipient's number" };
    const type = body.type;
    const leak = (text: unknown) => {
      if (/<\/?[a-z]+[^>]*>|&(amp|lt|gt|quot|#\d+);/i.test(String(text ?? ""))) this.htmlLeaks.push(String(text));
    };
    if (type === "template") {
      const t = body.template as { name?: string; language?: { code?: string }; components?: { type: string; parameters?: { text?: string }[] }[] };
      const params = this.templates.get(`${t?.name}:${t?.language?.code}`);
      if (params === undefined) return { code: 132001, details: `Template name does not exist in the translation: ${t?.name}` };
      const given = t.components?.find((c) => c.type === "body")?.parameters ?? [];
      if (given.length !== params) return { code: 132000, details: `Number of parameters does not match the expected number of params (${params})` };
      for (const p of given) {
        leak(p.text);
        if (!p.text || /[\n\t]| {5,}/.test(p.text)) return { code: 132018, details: "Param text cannot have new-line/tab characters or more than 4 consecutive spaces" };
      }
      return null;
    }
    const last = this.lastInbound.get(to);
    if (last === undefined || this.clock() - last > DAY_MS)
      return { code: 131047, details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number." };
    if (type === "text") {
      const text = (body.text as { body?: string })?.body;
      leak(text);
      if (len(text) < 1 || len(text) > 4096) return { code: 100, details: "text.body must be 1-4096 characters" };
      return null;
    }
    if (type === "interactive") {
      const i = body.interactive as {
        type?: string;
        body?: { text?: string };
        action?: { buttons?: { reply?: { id?: string; title?: string } }[]; button?: string; sections?: { rows?: { id?: string; title?: string; description?: string }[] }[] };
      };
      leak(i?.body?.text);
      if (len(i?.body?.text) < 1 || len(i?.body?.text) > 1024) return { code: 131009, details: "interactive.body.text must be 1-1024 characters" };
      if (i.type === "button") {
        const buttons = i.action?.buttons ?? [];
        if (buttons.length < 1 || buttons.length > 3) return { code: 131009, details: "buttons: 1-3 allowed" };
        const ids = buttons.map((b) => b.reply?.id);
        if (new Set(ids).size !== ids.length) return { code: 131009, details: "button ids must be unique" };
        for (const b of buttons) {
          leak(b.reply?.title);
          if (len(b.reply?.title) < 1 || len(b.reply?.title) > 20) return { code: 131009, details: "button title must be 1-20 characters" };
          if (len(b.reply?.id) < 1 || len(b.reply?.id) > 256) return { code: 131009, details: "button id must be 1-256 characters" };
        }
        return null;
      }
      if (i.type === "list") {
        if (len(i.action?.button) < 1 || len(i.action?.button) > 20) return { code: 131009, details: "list button must be 1-20 characters" };
        const rows = (i.action?.sections ?? []).flatMap((s) => s.rows ?? []);
        if (rows.length < 1 || rows.length > 10) return { code: 131009, details: "list rows: 1-10 in all" };
        if (new Set(rows.map((r) => r.id)).size !== rows.length) return { code: 131009, details: "row ids must be unique" };
        for (const r of rows) {
          leak(r.title);
          if (len(r.title) < 1 || len(r.title) > 24) return { code: 131009, details: "row title must be 1-24 characters" };
          if (len(r.description) > 72) return { code: 131009, details: "row description must be at most 72 characters" };
        }
        return null;
      }
      return { code: 131009, details: `unknown interactive type ${i?.type}` };
    }
    if (type === "image" || type === "audio") {
      const media = body[type] as { id?: string };
      if (!media?.id || !this.media.has(media.id)) return { code: 131053, details: "media id not found" };
      return null;
    }
    return { code: 131051, details: `unsupported message type ${String(type)}` };
  }

  /** A Meta-shaped webhook body with these messages (signed by `post`). */
  static webhook(messages: Json[], statuses: Json[] = [], phoneNumberId = "106540352242922"): Json {
    return {
      object: "whatsapp_business_account",
      entry: [
        {
          id: "WABA",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "6281100000000", phone_number_id: phoneNumberId },
                contacts: messages.filter((m) => m.from).map((m) => ({ profile: { name: (m._name as string) ?? "Anggota" }, wa_id: m.from })),
                messages: messages.map(({ _name, ...m }) => m),
                statuses,
              },
            },
          ],
        },
      ],
    };
  }

  private nextId = 0;
  message(from: string, content: Json, name?: string): Json {
    this.nextId++;
    return {
      from,
      id: `wamid.IN${this.nextId}${randomBytes(4).toString("hex")}`,
      timestamp: String(Math.floor(this.clock() / 1000)),
      ...content,
      ...(name ? { _name: name } : {}),
    };
  }
  text(from: string, body: string, name?: string): Json {
    return this.message(from, { type: "text", text: { body } }, name);
  }
  buttonReply(from: string, id: string, title = id): Json {
    return this.message(from, { type: "interactive", interactive: { type: "button_reply", button_reply: { id, title } } });
  }
  listReply(from: string, id: string, title = id): Json {
    return this.message(from, { type: "interactive", interactive: { type: "list_reply", list_reply: { id, title } } });
  }
  image(from: string, mediaId: string, caption?: string): Json {
    return this.message(from, { type: "image", image: { id: mediaId, mime_type: "image/jpeg", sha256: "x", ...(caption ? { caption } : {}) } });
  }
  voice(from: string, mediaId: string): Json {
    return this.message(from, { type: "audio", audio: { id: mediaId, mime_type: "audio/ogg; codecs=opus", voice: true } });
  }
  /** A tap on a template's quick-reply button (its payload comes back). */
  templateTap(from: string, payload: string, text = "Lihat kabar"): Json {
    return this.message(from, { type: "button", button: { payload, text } });
  }
  sticker(from: string): Json {
    return this.message(from, { type: "sticker", sticker: { id: "1", mime_type: "image/webp", animated: false } });
  }

  /** Posts a webhook body to the bot as Meta does: signed with the app secret; the HTTP status. */
  static async post(url: string, body: Json, appSecret: string, opts: { signature?: string | null } = {}): Promise<number> {
    const raw = JSON.stringify(body);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (opts.signature !== null) headers["x-hub-signature-256"] = opts.signature ?? `sha256=${createHmac("sha256", appSecret).update(raw).digest("hex")}`;
    const res = await fetch(url, { method: "POST", headers, body: raw });
    await res.arrayBuffer();
    return res.status;
  }
}

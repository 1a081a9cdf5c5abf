/**
 * A small Bot API server for tests that run the real entry point as a child process
 * (TELEGRAM_API_ROOT points here). It answers like Telegram through the harness's FakeTelegram
 * (every call recorded, messages kept so buttons can be pressed), serves queued updates to
 * getUpdates (long-polling briefly; an update stays queued until a later offset confirms it, like
 * Telegram), and can misbehave for a while: 429, 500, or closing connections; or hold calls
 * unanswered (to kill the bot in the middle of a send). Listens on 127.0.0.1, on a free port.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Update, User, Chat } from "grammy/types";
import { FakeTelegram, TestUser, type ApiCall, type Harness } from "./harness";

export type Outage = { kind: "429"; retryAfter: number } | { kind: "500" } | { kind: "close" };

/** A call kept unanswered while `until` has not resolved (the bot sees a slow Telegram). */
interface Hold {
  match(method: string, payload: Record<string, unknown>): boolean;
  released: Promise<void>;
  release(): void;
  held: number;
}

const LONG_POLL_MS = 300;
/** After the bot's last call for an update, this much silence means it is done with it. */
const QUIET_MS = 150;
/** An update that makes the bot call nothing (a duplicate, a dropped flood) is done after this. */
const SILENT_MS = 1500;

export class FakeBotApiServer {
  readonly telegram = new FakeTelegram();
  private server?: http.Server;
  private queue: Update[] = [];
  private nextUpdateId = 1;
  private pollers: (() => void)[] = [];
  private outageUntil = 0;
  private outage?: Outage;
  private outageExcept: string[] = [];
  private holds: Hold[] = [];
  /** Ids of updates handed out by getUpdates (at least once), with when. */
  readonly delivered = new Map<number, number>();
  /** Every non-empty getUpdates answer, in order: when, and which update ids. */
  readonly batches: { at: number; ids: number[] }[] = [];
  /** The highest offset the bot confirmed (updates below it are gone from the queue). */
  confirmedOffset = 0;
  /** Calls refused during an outage. */
  refused = 0;
  /**
   * Random faults on every call but those listed: each fails with probability `rate` as a 500, a 429
   * with retry_after 1, or a dropped connection (one in three each). `rng` makes a run repeatable.
   */
  chaos?: { rate: number; rng: () => number; except: string[] };
  /** Faults injected by `chaos`. */
  faultsInjected = 0;
  /** How long `handle` waits for the bot to finish an update. */
  processTimeoutMs = 20_000;
  /** Last time the bot called something about a chat, by chat id. */
  private activity = new Map<number, number>();
  private callbackChats = new Map<string, number>();
  url = "";

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.onRequest(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const h of this.holds) h.release();
    this.pollers.splice(0).forEach((p) => p());
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * Webhook mode: updates are POSTed to the bot (with the secret) instead of waiting for getUpdates,
   * and posted again, like Telegram, while the bot answers anything but 2xx (for up to 2 minutes).
   */
  webhook?: { port: number; path: string; secret: string };
  /**
   * Several bot processes behind a load balancer: each update goes to the next one in turn, and, with
   * probability `duplicateRate`, to the one after it as well at the same moment (a redelivery racing
   * the first). Counted in `duplicatesPosted`.
   */
  webhooks?: { targets: { port: number; path: string; secret: string }[]; duplicateRate: number; rng: () => number };
  duplicatesPosted = 0;
  private nextTarget = 0;
  private chatChains = new Map<number, Promise<void>>();
  /** Webhook answers other than 200 (Telegram would send those updates again). */
  readonly webhookRefusals: number[] = [];

  /** Queues an update for getUpdates (or posts it to the webhook); returns its id. */
  push(update: Record<string, unknown>): number {
    const update_id = typeof update.update_id === "number" ? update.update_id : this.nextUpdateId++;
    this.nextUpdateId = Math.max(this.nextUpdateId, update_id + 1);
    const full = { ...update, update_id } as unknown as Update;
    const cq = full.callback_query;
    if (cq) this.callbackChats.set(cq.id, cq.message?.chat.id ?? cq.from.id);
    if (this.webhook) {
      void this.post(full, this.webhook);
      return update_id;
    }
    if (this.webhooks) {
      const { targets, duplicateRate, rng } = this.webhooks;
      const i = this.nextTarget++ % targets.length;
      const twice = rng() < duplicateRate;
      if (twice) this.duplicatesPosted++;
      // Like Telegram: a chat's next update only once its previous one was answered.
      const chat = chatOf(full as unknown as Record<string, unknown>);
      const posted = (this.chatChains.get(chat) ?? Promise.resolve()).then(() =>
        Promise.all([this.post(full, targets[i]), twice ? this.post(full, targets[(i + 1) % targets.length]) : undefined]).then(() => undefined),
      );
      this.chatChains.set(chat, posted);
      return update_id;
    }
    this.queue.push(full);
    this.pollers.splice(0).forEach((p) => p());
    return update_id;
  }

  private async post(update: Update, w: { port: number; path: string; secret: string }): Promise<void> {
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      if (!this.delivered.has(update.update_id)) this.delivered.set(update.update_id, Date.now());
      const status = await postUpdate(w.port, w.path, update, w.secret).catch(() => 0);
      if (status === 200) return;
      this.webhookRefusals.push(status);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  /** Updates still waiting to be confirmed by the bot. */
  get pending(): Update[] {
    return [...this.queue];
  }

  /** For `ms`, every call fails this way (getUpdates too, unless listed in `except`). */
  startOutage(outage: Outage, ms: number, except: string[] = []) {
    this.outage = outage;
    this.outageExcept = except;
    this.outageUntil = Date.now() + ms;
  }

  /** Calls matching are left unanswered until `release()` (or until the bot's process dies). */
  hold(match: Hold["match"]): Hold {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const hold: Hold = { match, released, release: () => release(), held: 0 };
    void released.then(() => (this.holds = this.holds.filter((h) => h !== hold)));
    this.holds.push(hold);
    return hold;
  }

  /** Resolves once the bot has called `method` (matching `where`) at least `count` times in total. */
  async waitForCall(method: string, where: (c: ApiCall) => boolean = () => true, count = 1, timeoutMs = 15_000): Promise<ApiCall[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const calls = this.telegram.calls.filter((c) => c.method === method && !c.failed && where(c));
      if (calls.length >= count) return calls;
      if (Date.now() > until) throw new Error(`no ${count}× ${method} within ${timeoutMs} ms (saw ${calls.length})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Resolves when getUpdates has handed out the update. */
  async waitDelivered(updateId: number, timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.delivered.has(updateId)) {
      if (Date.now() > until) throw new Error(`update ${updateId} was not fetched within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Tells when the bot has finished an update (the bot process logs "update handled" at debug
   * level). Without it, `handle` falls back to waiting for the bot's calls about the chat to stop.
   */
  isProcessed?: (updateId: number) => boolean;

  /**
   * Feeds an update through getUpdates and waits until the bot is done with it; returns the calls
   * made meanwhile. Lets TestUser drive the real process.
   */
  async handle(update: Record<string, unknown>): Promise<ApiCall[]> {
    const before = this.telegram.calls.length;
    const id = this.push(update);
    const chatId = chatOf(update);
    await this.waitDelivered(id);
    const since = this.delivered.get(id)!;
    const isProcessed = this.isProcessed;
    if (isProcessed) {
      while (!isProcessed(id)) {
        if (Date.now() - since > this.processTimeoutMs) throw new Error(`update ${id} not processed within ${this.processTimeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return this.telegram.calls.slice(before);
    }
    for (;;) {
      await new Promise((r) => setTimeout(r, 25));
      const last = this.activity.get(chatId) ?? 0;
      const now = Date.now();
      if ((last >= since && now - last >= QUIET_MS) || now - since >= SILENT_MS) break;
    }
    return this.telegram.calls.slice(before);
  }

  /** A member (or, with `groupChat`, someone in a group) writing to the bot through this server. */
  user(id: number, profile: Partial<User> = {}, groupChat?: Chat): TestUser {
    // TestUser needs only `telegram` and `handle` of a harness.
    return new TestUser(this as unknown as Harness, { id, is_bot: false, first_name: `User${id}`, language_code: "id", ...profile }, groupChat);
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    const method = (req.url ?? "").split("/").pop()?.split("?")[0] ?? "";
    let outage = Date.now() < this.outageUntil && !this.outageExcept.includes(method) ? this.outage : undefined;
    if (!outage && this.chaos && !this.chaos.except.includes(method) && this.chaos.rng() < this.chaos.rate) {
      const pick = this.chaos.rng();
      outage = pick < 1 / 3 ? { kind: "500" } : pick < 2 / 3 ? { kind: "429", retryAfter: 1 } : { kind: "close" };
      this.faultsInjected++;
    }
    if (outage) {
      this.refused++;
      req.resume();
      if (outage.kind === "close") return req.socket.destroy();
      const body =
        outage.kind === "429"
          ? { ok: false, error_code: 429, description: `Too Many Requests: retry after ${outage.retryAfter}`, parameters: { retry_after: outage.retryAfter } }
          : { ok: false, error_code: 500, description: "Internal Server Error" };
      return reply(res, outage.kind === "429" ? 429 : 500, body);
    }
    if (method === "getUpdates") return this.getUpdates(req, res);

    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    let response: Response;
    try {
      // The payload is read once here and handed to FakeTelegram as text.
      const raw = await readAll(req);
      const payload = parseJson(raw, headers["content-type"]);
      const hold = payload ? this.holds.find((h) => h.match(method, payload)) : undefined;
      if (hold) {
        hold.held++;
        await hold.released;
        // The caller gave up (its process died): the call never reached "Telegram".
        if (req.socket.destroyed) return;
      }
      response = await this.telegram.fetch(`${this.url}/bot/${method}`, { body: raw.length ? rawBody(raw) : undefined, headers });
      if (payload) this.touch(payload);
    } catch {
      // FakeTelegram's injected network fault: the connection breaks.
      return req.socket.destroy();
    }
    res.writeHead(response.status, { "content-type": "application/json" });
    res.end(await response.text());
  }

  private touch(payload: Record<string, unknown>) {
    const chat = payload.chat_id !== undefined ? Number(payload.chat_id) : this.callbackChats.get(String(payload.callback_query_id));
    if (chat !== undefined && !Number.isNaN(chat)) this.activity.set(chat, Date.now());
  }

  private async getUpdates(req: http.IncomingMessage, res: http.ServerResponse) {
    const params = JSON.parse((await readAll(req)).toString("utf8") || "{}") as { offset?: number; limit?: number; timeout?: number };
    const offset = params.offset ?? 0;
    if (offset > this.confirmedOffset) {
      this.confirmedOffset = offset;
      this.queue = this.queue.filter((u) => u.update_id >= offset);
    }
    const take = () => this.queue.filter((u) => u.update_id >= offset).slice(0, params.limit ?? 100);
    let updates = take();
    if (updates.length === 0 && (params.timeout ?? 0) > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, LONG_POLL_MS);
        this.pollers.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      updates = take();
    }
    if (res.destroyed || req.socket.destroyed) return;
    const now = Date.now();
    for (const u of updates) if (!this.delivered.has(u.update_id)) this.delivered.set(u.update_id, now);
    if (updates.length) this.batches.push({ at: now, ids: updates.map((u) => u.update_id) });
    reply(res, 200, { ok: true, result: updates });
  }
}

function chatOf(update: Record<string, unknown>): number {
  const u = update as unknown as Update;
  return u.message?.chat.id ?? u.callback_query?.message?.chat.id ?? u.callback_query?.from.id ?? 0;
}

function reply(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readAll(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON payloads only (multipart uploads are not held or attributed to a chat). */
function parseJson(raw: Buffer, type: string | undefined): Record<string, unknown> | undefined {
  if (!type?.includes("json") || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The body again, as the async iterable FakeTelegram reads multipart bodies from. */
async function* rawBody(raw: Buffer): AsyncIterable<Uint8Array> {
  yield raw;
}

/** POSTs an update to the bot's webhook, as Telegram does; resolves with the HTTP status. */
export function postUpdate(port: number, path: string, update: unknown, secret?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(update);
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...(secret !== undefined ? { "x-telegram-bot-api-secret-token": secret } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** GET on the bot's HTTP server; resolves with status and parsed body. */
export function getJson(port: number, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      })
      .on("error", reject);
  });
}

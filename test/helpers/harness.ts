/**
 * Drives the real bot: `createBot(...)` with botInfo and a fake `client.fetch` that records every
 * Bot API call (also those made inside dialogues) and answers like Telegram would. Updates are fed
 * through `bot.handleUpdate`. Faults (429, 5xx, network errors) can be queued per method; a text
 * Telegram would refuse (malformed HTML, over 4096 characters) is refused with a 400 like Telegram.
 */
import type { Update, UserFromGetMe, Message, Chat, User } from "grammy/types";
import { createBot } from "../../src/bot";
import { loadConfig, type Config } from "../../src/config";
import pino from "pino";
import type { Logger } from "../../src/logger";
import { createDispatcher, type Dispatcher, type GroupLimit } from "../../src/delivery/dispatcher";
import { createDeliveryApi } from "../../src/delivery/api";
import { callTextProblem } from "./telegram-html";

export const TOKEN = "123456789:TEST_TOKEN_abcdefghijklmnopqrstuvwxyz";
export const BOT_INFO: UserFromGetMe = {
  id: 123456789,
  is_bot: true,
  first_name: "Aspirasi IKM Badung",
  username: "aspirasi_ikm_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
  /** Files of a multipart call: field name -> { filename, content } (an album's i-th file: `media.i`) */
  files?: Record<string, { filename: string; content: Buffer }>;
  /** What the fake answered (undefined for injected faults). */
  result?: unknown;
  failed?: boolean;
  /** When it was made, by the harness clock (ms). */
  at?: number;
}

export type Fault = { kind: "http"; error_code: number; description: string; retry_after?: number } | { kind: "network" };

export class FakeTelegram {
  calls: ApiCall[] = [];
  private nextMessageId = 1000;
  private faults: { method: string | "*"; fault: Fault; chatId?: number }[] = [];
  /** Stamps every call with this clock (the harness sets it). */
  clock?: () => number;
  /** Refuse texts Telegram would refuse (telegram-html.ts); a test of the refusal itself may turn it off. */
  checkTexts = true;
  /** Calls refused for their text: which, and why (tests assert there are none). */
  refusedTexts: { method: string; problem: string; payload: Record<string, unknown> }[] = [];
  /** Messages the bot sent, by chat and id, so edits and replies can be checked. */
  messages = new Map<string, Record<string, unknown>>();
  /** Runs before each call is answered (a test's stand-in for Telegram's latency, or for what happens meanwhile). */
  onCall?: (method: string, payload: Record<string, unknown>) => Promise<void> | void;

  newMessageId(): number {
    return this.nextMessageId++;
  }

  /** The next `count` calls of `method` (or any method with "*") fail with `fault`; optionally only calls to `chatId` (or scoped to it). */
  fail(method: string | "*", fault: Fault, count = 1, chatId?: number) {
    for (let i = 0; i < count; i++) this.faults.push({ method, fault, chatId });
  }

  clearFaults() {
    this.faults = [];
  }

  reset() {
    this.calls = [];
  }

  fetch = async (input: unknown, init?: { body?: unknown; headers?: Record<string, string> }): Promise<Response> => {
    const url = String(input);
    const method = url.slice(url.lastIndexOf("/") + 1);
    const { payload, files } = await readBody(init);
    await this.onCall?.(method, payload);
    const at = this.clock?.();
    // The chat of a call: its chat_id, or the chat of its command-menu scope.
    const chatOf = Number(payload.chat_id ?? (payload.scope as { chat_id?: unknown } | undefined)?.chat_id);
    const faultIndex = this.faults.findIndex((f) => (f.method === "*" || f.method === method) && (f.chatId === undefined || chatOf === f.chatId));
    if (faultIndex >= 0) {
      const [{ fault }] = this.faults.splice(faultIndex, 1);
      this.calls.push({ method, payload, files, failed: true, at });
      if (fault.kind === "network") throw new TypeError("fetch failed (simulated network error)");
      // Like Telegram, the HTTP status is the error code.
      return json(
        {
          ok: false,
          error_code: fault.error_code,
          description: fault.description,
          ...(fault.retry_after !== undefined ? { parameters: { retry_after: fault.retry_after } } : {}),
        },
        fault.error_code,
      );
    }
    // Like Telegram: malformed HTML, an empty or too long text or caption is a 400.
    const problem = this.checkTexts ? callTextProblem(method, payload) : null;
    if (problem) {
      this.calls.push({ method, payload, files, failed: true, at });
      this.refusedTexts.push({ method, problem, payload });
      return json({ ok: false, error_code: 400, description: `Bad Request: ${problem}` }, 400);
    }
    const result = this.answer(method, payload, files);
    this.calls.push({ method, payload, files, result, at });
    return json({ ok: true, result });
  };

  private message(payload: Record<string, unknown>, extra: Record<string, unknown>): Message {
    const chatId = Number(payload.chat_id);
    const chat = (chatId > 0 ? { id: chatId, type: "private", first_name: "User" } : { id: chatId, type: "supergroup", title: "Group" }) as Chat;
    const msg = {
      message_id: this.newMessageId(),
      date: Math.floor(Date.now() / 1000),
      chat,
      from: { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name, username: BOT_INFO.username },
      ...(payload.reply_markup && typeof payload.reply_markup === "object" && "inline_keyboard" in (payload.reply_markup as object) ? { reply_markup: payload.reply_markup } : {}),
      ...extra,
    } as unknown as Message;
    this.messages.set(`${chatId}:${msg.message_id}`, msg as unknown as Record<string, unknown>);
    return msg;
  }

  private answer(method: string, payload: Record<string, unknown>, files?: ApiCall["files"]): unknown {
    switch (method) {
      case "getMe":
        return BOT_INFO;
      case "sendMessage":
        return this.message(payload, { text: payload.text });
      case "sendPhoto":
        return this.message(payload, { photo: [{ file_id: String(payload.photo), file_unique_id: "u", width: 1, height: 1 }], caption: payload.caption });
      case "sendVoice":
        return this.message(payload, { voice: { file_id: String(payload.voice), file_unique_id: "v", duration: 1 }, caption: payload.caption });
      case "sendDocument":
        return this.message(payload, {
          document: { file_id: `doc${this.nextMessageId}`, file_unique_id: "d", file_name: files?.document?.filename },
          caption: payload.caption,
        });
      case "sendMediaGroup":
        return (payload.media as Record<string, unknown>[]).map((m) =>
          this.message(payload, { photo: [{ file_id: String(m.media), file_unique_id: "u", width: 1, height: 1 }], caption: m.caption }),
        );
      case "editMessageText": {
        const key = `${payload.chat_id}:${payload.message_id}`;
        const old = this.messages.get(key) ?? { message_id: payload.message_id, chat: { id: payload.chat_id, type: "private" }, date: 0 };
        const updated = { ...old, text: payload.text, reply_markup: payload.reply_markup, edit_date: Math.floor(Date.now() / 1000) };
        this.messages.set(key, updated);
        return updated;
      }
      case "editMessageCaption":
      case "editMessageReplyMarkup":
        return { message_id: payload.message_id, chat: { id: payload.chat_id, type: "private" }, date: 0 };
      default:
        return true;
    }
  }

  /** Calls of one method (optionally to one chat). */
  callsOf(method: string, chatId?: number): ApiCall[] {
    return this.calls.filter((c) => c.method === method && !c.failed && (chatId === undefined || Number(c.payload.chat_id) === chatId));
  }

  /** Texts the bot sent (sendMessage) or edited into (editMessageText) a chat, in order. */
  textsTo(chatId: number): string[] {
    return this.calls
      .filter((c) => !c.failed && (c.method === "sendMessage" || c.method === "editMessageText") && Number(c.payload.chat_id) === chatId)
      .map((c) => String(c.payload.text));
  }

  lastMessageTo(chatId: number): ApiCall | undefined {
    return this.callsOf("sendMessage", chatId).at(-1);
  }
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

async function readBody(init?: { body?: unknown; headers?: Record<string, string> }): Promise<{ payload: Record<string, unknown>; files?: ApiCall["files"] }> {
  const body = init?.body;
  if (body === undefined || body === null) return { payload: {} };
  if (typeof body === "string") return { payload: JSON.parse(body) };
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  const raw = Buffer.concat(chunks);
  const type = init?.headers?.["content-type"] ?? "";
  const boundary = /boundary=(.+)$/.exec(type)?.[1];
  if (!boundary) return { payload: JSON.parse(raw.toString("utf8")) };
  const payload: Record<string, unknown> = {};
  const files: NonNullable<ApiCall["files"]> = {};
  for (const part of raw.toString("latin1").split(`--${boundary}`)) {
    const sep = part.indexOf("\r\n\r\n");
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const content = part.slice(sep + 4).replace(/\r\n$/, "");
    const name = /name="([^"]+)"/.exec(head)?.[1];
    if (!name) continue;
    // grammY writes `filename=name.csv` (unquoted); browsers quote it.
    const filename = /filename="([^"]*)"/.exec(head)?.[1] ?? /filename=([^\r\n;]+)/.exec(head)?.[1];
    if (filename !== undefined) files[name] = { filename, content: Buffer.from(content, "latin1") };
    else {
      const text = Buffer.from(content, "latin1").toString("utf8");
      try {
        payload[name] = JSON.parse(text);
      } catch {
        payload[name] = text;
      }
    }
  }
  // Fields that reference an attached file ("attach://x") point at it.
  for (const [k, v] of Object.entries(payload)) {
    if (typeof v === "string" && v.startsWith("attach://") && files[v.slice(9)]) {
      files[k] = files[v.slice(9)];
      payload[k] = `[file ${files[k].filename}]`;
    }
  }
  // So do the items of an album (sendMediaGroup): its i-th file is `media.i`.
  if (Array.isArray(payload.media)) {
    (payload.media as Record<string, unknown>[]).forEach((item, i) => {
      const ref = typeof item.media === "string" && item.media.startsWith("attach://") ? files[item.media.slice(9)] : undefined;
      if (!ref) return;
      files[`media.${i}`] = ref;
      item.media = `[file ${ref.filename}]`;
    });
  }
  return { payload, files };
}

export function testConfig(env: Record<string, string> = {}): Config {
  // Tests answer faster than any person: flood control is off unless a test turns it on.
  return loadConfig({ NODE_ENV: "test", BOT_TOKEN: TOKEN, MONGODB_URI: process.env.MONGODB_TEST_URI, LOG_LEVEL: "silent", FLOOD_MAX_MESSAGES: "0", ...env });
}

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

let updateId = 1;

/**
 * Time for the officer workflow and the dispatcher: the real time plus whatever the test skipped
 * ahead, so work stamped with the real time (e.g. a request saved by a dialogue) is never "in the
 * future", and a test jumps over waits (retry_after, backoff, the group budget) instead of sleeping.
 */
export class FakeClock {
  private offset = 0;
  get ms(): number {
    return Date.now() + this.offset;
  }
  now = (): Date => new Date(this.ms);
  advance(ms: number) {
    this.offset += ms;
  }
  /** Jumps to `date`, backwards too (tests that need a given calendar day: holidays, working days). */
  set(date: Date) {
    this.offset = date.getTime() - Date.now();
  }
  /** Moves to `date` if that is later (never backwards). */
  advanceTo(date: Date | null) {
    if (date && date.getTime() > this.ms) this.offset += date.getTime() - this.ms;
  }
}

/**
 * A harness around one bot instance; `restart()` builds a brand-new instance on the same database.
 * It also has an outbox dispatcher (a new one on every restart, like a new process) that sends only
 * when a test says so (`drain`, `deliver`), on the harness clock.
 */
export class Harness {
  telegram = new FakeTelegram();
  bot!: ReturnType<typeof createBot>;
  clock = new FakeClock();
  dispatcher!: Dispatcher;
  /** The group budget the dispatcher uses (tests may lower it). */
  groupLimit?: GroupLimit;

  /** `logger`: pass a logger writing to a stream to check what reaches the logs. */
  constructor(
    public config: Config = testConfig(),
    public logger: Logger = silentLogger,
  ) {
    this.restart();
  }

  restart() {
    this.telegram.clock = () => this.clock.ms;
    this.bot = createBot(this.config, { logger: this.logger, clock: this.clock.now }, { botInfo: BOT_INFO, client: { fetch: this.telegram.fetch as unknown as typeof fetch } });
    this.dispatcher = this.newDispatcher();
    return this.bot;
  }

  /** Another dispatcher on the same database and fake Telegram (e.g. a second process). */
  newDispatcher(): Dispatcher {
    const api = createDeliveryApi(this.config, { fetch: this.telegram.fetch as unknown as typeof fetch });
    return createDispatcher(api, { logger: this.logger, config: this.config, clock: this.clock.now, groupLimit: this.groupLimit });
  }

  /** Sends what is due now (no time passes). */
  drain() {
    return this.dispatcher.drain();
  }

  /** Sends everything, moving the clock to each moment something becomes sendable (retries, the group budget). */
  async deliver(maxSteps = 200) {
    let report = await this.dispatcher.drain();
    for (let i = 0; i < maxSteps && report.nextWakeAt; i++) {
      this.clock.advanceTo(report.nextWakeAt);
      report = await this.dispatcher.drain();
    }
    return report;
  }

  async handle(update: Record<string, unknown>): Promise<ApiCall[]> {
    const before = this.telegram.calls.length;
    await this.bot.handleUpdate({ update_id: updateId++, ...update } as Update);
    return this.telegram.calls.slice(before);
  }

  user(id: number, profile: Partial<User> = {}): TestUser {
    return new TestUser(this, { id, is_bot: false, first_name: `User${id}`, language_code: "id", ...profile });
  }

  /** A user writing in a group chat (e.g. an officer in the officers' group). */
  inGroup(groupId: number, id: number, profile: Partial<User> = {}): TestUser {
    return new TestUser(this, { id, is_bot: false, first_name: `User${id}`, language_code: "id", ...profile }, {
      id: groupId,
      type: "supergroup",
      title: "Petugas Diskop",
    } as Chat);
  }
}

/** What a test message replies to: a bot message id in the same chat, or a whole message. */
export type ReplyTarget = number | Message;

/** A member in a private chat with the bot (or, with `groupChat`, a user writing in that group). */
export class TestUser {
  constructor(
    private h: Harness,
    public readonly user: User,
    private readonly groupChat?: Chat,
  ) {}

  get id() {
    return this.user.id;
  }

  /** The chat this user writes in: their private chat, or the group. */
  get chatId() {
    return this.groupChat?.id ?? this.user.id;
  }

  private chat() {
    return this.groupChat ?? { id: this.user.id, type: "private" as const, first_name: this.user.first_name };
  }

  /**
   * `replyTo`: the message this one answers: the id of one the bot sent in this chat, or a message
   * of someone else (see `ownMessage`).
   */
  private msg(extra: Record<string, unknown>, replyTo?: ReplyTarget) {
    const replied =
      replyTo === undefined
        ? undefined
        : typeof replyTo === "object"
          ? replyTo
          : (this.h.telegram.messages.get(`${this.chatId}:${replyTo}`) ?? { message_id: replyTo, chat: this.chat(), date: 0 });
    return {
      message: {
        message_id: this.h.telegram.newMessageId(),
        date: Math.floor(Date.now() / 1000),
        chat: this.chat(),
        from: this.user,
        ...(replied ? { reply_to_message: replied } : {}),
        ...extra,
      } as unknown as Message,
    };
  }

  /**
   * A message of this user as another update would quote it (e.g. an admin replies to an officer's
   * message in a group the bot cannot read in full). Not sent to the bot.
   */
  ownMessage(text: string): Message {
    return { message_id: this.h.telegram.newMessageId(), date: Math.floor(Date.now() / 1000), chat: this.chat(), from: this.user, text } as unknown as Message;
  }

  /** Text, or a command when it starts with "/" (entities are set like Telegram does). */
  send(text: string, opts: { replyTo?: ReplyTarget } = {}) {
    const m = /^\/\S+/.exec(text);
    return this.h.handle(this.msg({ text, ...(m ? { entities: [{ type: "bot_command", offset: 0, length: m[0].length }] } : {}) }, opts.replyTo));
  }
  /** A shared contact: the user's own by default; `null` for an address-book entry (no user_id). */
  contact(phone: string, userId: number | null = this.user.id) {
    return this.h.handle(this.msg({ contact: { phone_number: phone, first_name: "X", ...(userId !== null ? { user_id: userId } : {}) } }));
  }
  photo(fileId = `photo-${Math.random().toString(36).slice(2)}`, opts: { mediaGroupId?: string; caption?: string; replyTo?: ReplyTarget } = {}) {
    return this.h.handle(
      this.msg(
        {
          photo: [
            { file_id: `${fileId}-small`, file_unique_id: `${fileId}-su`, width: 90, height: 90 },
            { file_id: fileId, file_unique_id: `${fileId}-u`, width: 800, height: 800 },
          ],
          ...(opts.mediaGroupId ? { media_group_id: opts.mediaGroupId } : {}),
          ...(opts.caption ? { caption: opts.caption } : {}),
        },
        opts.replyTo,
      ),
    );
  }
  voice(fileId = `voice-${Math.random().toString(36).slice(2)}`, duration = 7, opts: { replyTo?: ReplyTarget } = {}) {
    return this.h.handle(this.msg({ voice: { file_id: fileId, file_unique_id: `${fileId}-u`, duration, mime_type: "audio/ogg" } }, opts.replyTo));
  }
  sticker(opts: { replyTo?: ReplyTarget } = {}) {
    return this.h.handle(
      this.msg({ sticker: { file_id: "stk", file_unique_id: "stku", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } }, opts.replyTo),
    );
  }
  document(name = "surat.pdf") {
    return this.h.handle(this.msg({ document: { file_id: "doc1", file_unique_id: "docu", file_name: name } }));
  }

  /** Presses an inline button by its label on the latest bot message that has it (or by raw data on a given message). */
  async press(labelOrData: string | RegExp, opts: { messageId?: number; raw?: boolean } = {}) {
    let data: string;
    let messageId = opts.messageId;
    if (opts.raw) {
      data = String(labelOrData);
      messageId ??= this.h.telegram.lastMessageTo(this.chatId)?.result ? (this.h.telegram.lastMessageTo(this.chatId)!.result as Message).message_id : 1;
    } else {
      const found = this.findButton(labelOrData, opts.messageId);
      if (!found) throw new Error(`no button ${String(labelOrData)} in chat ${this.chatId}. Last texts:\n${this.h.telegram.textsTo(this.chatId).slice(-3).join("\n---\n")}`);
      data = found.data;
      messageId = found.messageId;
    }
    const message = this.h.telegram.messages.get(`${this.chatId}:${messageId}`) ?? { message_id: messageId, chat: this.chat(), date: 0, text: "" };
    return this.h.handle({
      callback_query: {
        id: `cq${Math.random().toString(36).slice(2)}`,
        from: this.user,
        chat_instance: `ci${this.chatId}`,
        data,
        message: message as unknown as Message,
      },
    });
  }

  /** The newest inline button in this chat whose label matches (on message `messageId` when given). */
  findButton(label: string | RegExp, messageId?: number): { data: string; messageId: number } | undefined {
    const sent = [...this.h.telegram.messages.values()].filter((m) => (m.chat as Chat).id === this.chatId && (messageId === undefined || m.message_id === messageId)).reverse();
    for (const m of sent) {
      const kb = (m.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard;
      for (const row of kb ?? [])
        for (const b of row) {
          if (b.callback_data && (typeof label === "string" ? b.text === label || b.text.includes(label) : label.test(b.text))) {
            return { data: b.callback_data, messageId: m.message_id as number };
          }
        }
    }
    return undefined;
  }

  /** Texts the bot sent to this user (in a group: to the group). */
  texts() {
    return this.h.telegram.textsTo(this.chatId);
  }
  lastText() {
    return this.texts().at(-1) ?? "";
  }
}

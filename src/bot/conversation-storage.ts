import type { Context, MiddlewareFn } from "grammy";
import { isDatabaseUnavailable } from "../db/availability";
import type { ConversationData, ConversationStorage, VersionedState } from "@grammyjs/conversations";
import { ConversationState } from "../db/models/conversation-state";
import { ReadCache } from "../lib/read-cache";
import { claimUpdate, DuplicateUpdateError, isDuplicateUpdate } from "../domain/processed-updates";
import { isDuplicateKeyError } from "../db/errors";

/** The dialogue's stored state changed after this update read it (another process): the update is tried again. */
export class StaleDialogueError extends Error {
  constructor(key: string) {
    super(`the dialogue state of chat ${key} changed while this update was handled`);
  }
}
StaleDialogueError.prototype.name = "StaleDialogueError";
import { currentUpdateScope } from "../db/command-guard";
import { slimState } from "./slim-state";

/**
 * Bump when a dialogue's steps change in a way old replay logs cannot follow;
 * dialogues stored under another version are dropped (the member starts again).
 */
export const CONVERSATION_STATE_VERSION = 2;
/** Update ids kept with a chat's dialogue state (see `seen`). */
const RECENT_UPDATES = 20;

interface Entry {
  /** The plugin's state as JSON text (the text is kept, not the object: the plugin mutates what it read). */
  data: string;
  /** The last updates whose effect on the state is stored, oldest first. */
  updates: number[];
  /** When the dialogue last took an update (ms; see `write`). */
  at: number;
  /** The message id of the latest leave question, while no update has reached the dialogue since. */
  leaveQuestion?: number;
  /** The document's revision: a write applies only to the revision it was computed from. */
  rev?: number;
}

/** What the dialogue guard needs to know about the chat's stored dialogue. */
export interface StoredDialogue {
  /** When the dialogue last took an update (ms since the epoch): the idle check's start. */
  lastActivityAt: number;
  /** The message id of the latest leave question, if it is still the current one. */
  leaveQuestion?: number;
}

// Keyed by the update's context (one per update), so every store instance serves them.
/** One read per update, shared by `seen`, the plugin and the dialogue guard. */
const loaded = new WeakMap<Context, Promise<Entry | null>>();
/** A leave question asked during this update (written with the state at its end). */
const askedLeave = new WeakMap<Context, number>();

/**
 * The chat's stored dialogue as it was before this update, from what the conversations plugin
 * read for this update; it never reads the database itself. Null without a stored dialogue, and
 * also when the plugin has not read the state in this update (call it after the plugin, as the
 * dialogue guard does).
 */
export async function storedDialogue(ctx: Context): Promise<StoredDialogue | null> {
  const entry = await loaded.get(ctx);
  return entry ? { lastActivityAt: entry.at, leaveQuestion: entry.leaveQuestion } : null;
}

/**
 * Remembers the leave question sent during this update; it is stored with the dialogue state (the
 * write the plugin makes at the end of the update anyway). The next update that reaches the
 * dialogue makes it stale.
 */
export function rememberLeaveQuestion(ctx: Context, messageId: number): void {
  askedLeave.set(ctx, messageId);
}

export interface ConversationStoreOptions {
  /**
   * Keep what was read and written in memory (write-through), so an update costs no read: the
   * plugin reads the state of every update, also of chats without a dialogue. Correct because one
   * process serves the database and `sequentialize` orders the updates of a chat. Default on. A
   * function is asked at every update (db/presence.ts: off while another process serves the
   * database); when it turns on again the cache starts empty.
   */
  cache?: boolean | (() => boolean);
}

export type Seen = "duplicate" | "new-in-dialogue" | "unknown";

export interface ConversationStore {
  /** For `conversations({ storage })`. */
  storage: ConversationStorage<Context, ConversationData>;
  /**
   * Whether this update was already applied to the chat's dialogue. A chat with a dialogue keeps the
   * ids of its last updates in the state document, written in the same round trip as the state: so a
   * step costs no extra write to be recognised when it comes again, and if the process dies before
   * the state is written the update is taken again. "new-in-dialogue": newer than what the state
   * knows; "unknown": no ids stored, or older than the oldest kept. (Effects outside the dialogue,
   * and the step that ended a dialogue, are deduplicated by the update's claim:
   * middlewares/idempotency.ts.)
   */
  seen(ctx: Context): Promise<Seen>;
  /**
   * Installed right after the conversations plugin: an update whose handling lost the database, or
   * was stopped as a re-delivery, leaves the stored dialogue as it was. (The plugin drops a dialogue
   * that threw, and writes that in its own `finally`; had the database come back by then, the
   * member's answers so far would be gone, while the update is tried again: main.ts, or Telegram
   * after a 503.)
   */
  keepOnDatabaseLoss: MiddlewareFn<Context>;
}

/** Updates whose handling lost the database (or stopped as a re-delivery): the plugin's write or delete of their state is skipped. */
const lostDatabase = new WeakSet<Context>();

const keyOf = (ctx: Context) => ctx.chatId?.toString();

/**
 * The state's JSON as V8 keeps it in one byte per character: a single character above U+00FF (an
 * emoji in a button) would otherwise make the whole cached string two bytes per character. Such
 * characters only occur inside JSON strings, where `\uXXXX` means the same; the copy through
 * latin1 gives a fresh one-byte string (escaping alone may keep the two-byte representation).
 */
function compact(json: string): string {
  const escaped = json.replace(/[\u0100-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return Buffer.from(escaped, "latin1").toString("latin1");
}

/** The conversations plugin's state in MongoDB, one document per chat, as a JSON string. */
export function createConversationStore(options: ConversationStoreOptions = {}): ConversationStore {
  const store = options.cache === false ? undefined : new ReadCache<string, Entry | null>({ max: 5_000, ttlMs: 30 * 60_000 });
  const wanted = typeof options.cache === "function" ? options.cache : () => true;
  let wasOn = true;
  /** The cache while it is wanted; emptied at every change, so nothing read while shared is served later. */
  function active(): ReadCache<string, Entry | null> | undefined {
    if (!store) return undefined;
    const on = wanted();
    if (on !== wasOn) {
      store.clear();
      wasOn = on;
    }
    return on ? store : undefined;
  }

  async function read(key: string): Promise<Entry | null> {
    const doc = await ConversationState.findById(key, { data: 1, updates: 1, updatedAt: 1, leaveQuestion: 1, rev: 1 }).lean();
    if (!doc) return null;
    const entry: Entry = { data: compact(doc.data), updates: doc.updates ?? [], at: doc.updatedAt?.getTime() ?? Date.now() };
    if (typeof doc.rev === "number") entry.rev = doc.rev;
    if (typeof doc.leaveQuestion === "number") entry.leaveQuestion = doc.leaveQuestion;
    return entry;
  }
  const fetch = (key: string): Promise<Entry | null> => {
    const cache = active();
    return cache ? cache.getOrLoad(key, () => read(key)) : read(key);
  };

  function load(ctx: Context, key: string): Promise<Entry | null> {
    let p = loaded.get(ctx);
    if (!p) loaded.set(ctx, (p = fetch(key)));
    return p;
  }

  /**
   * The stored dialogue moved on since this update read it. A copy of this update handled by another
   * process: nothing to do (a duplicate). Otherwise this update ran on a stale state: it is tried
   * again (StaleDialogueError counts as "try again", like a database outage).
   */
  async function conflict(key: string, id: number): Promise<never> {
    active()?.delete(key);
    const now = await read(key);
    if (now?.updates.includes(id)) throw new DuplicateUpdateError(id);
    throw new StaleDialogueError(key);
  }

  function remember(ctx: Context, key: string, entry: Entry) {
    active()?.set(key, entry);
    loaded.set(ctx, Promise.resolve(entry));
  }

  return {
    storage: {
      type: "context",
      version: CONVERSATION_STATE_VERSION,
      adapter: {
        async read(ctx) {
          const key = keyOf(ctx);
          const entry = key === undefined ? null : await load(ctx, key);
          return entry ? (JSON.parse(entry.data) as VersionedState<ConversationData>) : undefined;
        },
        async write(ctx, state) {
          const key = keyOf(ctx);
          if (key === undefined || lostDatabase.has(ctx)) return;
          const before = await load(ctx, key);
          const id = ctx.update.update_id;
          // Only what a replay reads (slim-state.ts).
          const json = JSON.stringify(slimState(state));
          const data = compact(json);
          // The plugin writes the state after every update in a chat with a dialogue, also when the
          // dialogue guard answered the update itself (a leave question, /bantuan). Only an update
          // the dialogue took changes the data: that one restarts the idle clock (the same moment
          // as the dialogue's own check in ask.ts measures from) and makes a leave question stale.
          const took = before?.data !== data;
          const asked = askedLeave.get(ctx);
          // Nothing changed (an update the dialogue did not take, no new leave question): no write.
          // Its id is not kept either; a copy of it changes nothing again.
          if (!took && asked === undefined) return;
          const updates = [...(before?.updates ?? []).filter((u) => u !== id), id].slice(-RECENT_UPDATES);
          const at = took || !before ? Date.now() : before.at;
          const leaveQuestion = asked ?? (took ? undefined : before?.leaveQuestion);
          const entry: Entry = { data, updates, at, ...(leaveQuestion === undefined ? {} : { leaveQuestion }) };
          active()?.delete(key);
          // Several processes (no cache): only over the revision this update read; another process
          // that moved the dialogue on meanwhile (a copy of this update, or a later one) makes this
          // write a conflict. One process (the cache): `sequentialize` orders a chat's updates and
          // nobody else writes, so the filter is the _id alone — the one filter FerretDB v1 hands
          // to its backend; with `rev` beside it every write scans the whole collection
          // (docs/ARCHITECTURE.md, "Concurrency: the rule"). The revision is counted either way.
          const rev = (before?.rev ?? 0) + 1;
          entry.rev = rev;
          const res = await ConversationState.updateOne(
            active() ? { _id: key } : { _id: key, rev: before?.rev ?? { $exists: false } },
            leaveQuestion === undefined
              ? { $set: { data: json, updates, updatedAt: new Date(at), rev }, $unset: { leaveQuestion: 1 } }
              : { $set: { data: json, updates, updatedAt: new Date(at), leaveQuestion, rev } },
            { upsert: true, timestamps: false },
          ).catch((err: unknown) => {
            if (isDuplicateKeyError(err)) return null; // the upsert met a document another process wrote
            throw err;
          });
          if (!res || (res.matchedCount === 0 && res.upsertedCount === 0)) await conflict(key, id);
          remember(ctx, key, entry);
        },
        async delete(ctx) {
          const key = keyOf(ctx);
          if (key === undefined || lostDatabase.has(ctx)) return;
          active()?.delete(key);
          // The ids go with the document: the update that ended the dialogue is claimed instead,
          // side by side (either order leaves a re-delivered copy harmless), or not again when its
          // effects claimed it already (Kirim).
          const id = ctx.update.update_id;
          await Promise.all([ConversationState.deleteOne({ _id: key }), currentUpdateScope()?.claim() ?? claimUpdate(id, new Date())]);
          active()?.set(key, null);
          loaded.set(ctx, Promise.resolve(null));
        },
      },
    },
    async seen(ctx) {
      const key = keyOf(ctx);
      const entry = key === undefined ? null : await load(ctx, key);
      if (!entry || entry.updates.length === 0) return "unknown";
      const id = ctx.update.update_id;
      if (entry.updates.includes(id)) return "duplicate";
      return id > entry.updates[entry.updates.length - 1] ? "new-in-dialogue" : "unknown";
    },
    async keepOnDatabaseLoss(ctx, next) {
      try {
        await next();
      } catch (err) {
        if (isDatabaseUnavailable(err) || isDuplicateUpdate(err)) lostDatabase.add(ctx);
        throw err;
      }
    },
  };
}

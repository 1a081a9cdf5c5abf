import type { Context } from "grammy";
import type { ConversationData, ConversationStorage, VersionedState } from "@grammyjs/conversations";
import { ConversationState } from "../db/models/conversation-state";
import { ReadCache } from "../lib/read-cache";
import { claimUpdate } from "../domain/processed-updates";

/**
 * Bump when a dialogue's steps change in a way old replay logs cannot follow;
 * dialogues stored under another version are dropped (the member starts again).
 */
export const CONVERSATION_STATE_VERSION = 1;
/** Update ids kept with a chat's dialogue state (see `seen`). */
const RECENT_UPDATES = 20;

interface Entry {
  /** The plugin's state as JSON text (the text is kept, not the object: the plugin mutates what it read). */
  data: string;
  /** The last updates whose effect on the state is stored, oldest first. */
  updates: number[];
}

export interface ConversationStoreOptions {
  /**
   * Keep what was read and written in memory (write-through), so an update costs no read: the
   * plugin reads the state of every update, also of chats without a dialogue. Correct because one
   * process serves the database and `sequentialize` orders the updates of a chat. Default on.
   */
  cache?: boolean;
}

export type Seen = "duplicate" | "new-in-dialogue" | "unknown";

export interface ConversationStore {
  /** For `conversations({ storage })`. */
  storage: ConversationStorage<Context, ConversationData>;
  /**
   * Whether this update was already applied to the chat's dialogue. A chat with a dialogue keeps the
   * ids of its last updates in the state document, written in the same round trip as the state:
   * so an update that advances a dialogue costs no extra write to be recognised when it comes
   * again, and if the process dies before the state is written the update is taken again. Ids older
   * than what the document knows, and chats without a dialogue, are "unknown" (the caller asks the
   * processed-updates collection).
   */
  seen(ctx: Context): Promise<Seen>;
  /** True once the plugin wrote (or deleted) the state for this update, recording its id. */
  recorded(ctx: Context): boolean;
}

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
  const cache = options.cache === false ? undefined : new ReadCache<string, Entry | null>({ max: 5_000, ttlMs: 30 * 60_000 });
  // One read per update, shared by `seen` and the plugin.
  const loaded = new WeakMap<Context, Promise<Entry | null>>();
  const recorded = new WeakSet<Context>();

  async function read(key: string): Promise<Entry | null> {
    const doc = await ConversationState.findById(key, { data: 1, updates: 1 }).lean();
    return doc ? { data: compact(doc.data), updates: doc.updates ?? [] } : null;
  }
  const fetch = (key: string): Promise<Entry | null> => (cache ? cache.getOrLoad(key, () => read(key)) : read(key));

  function load(ctx: Context, key: string): Promise<Entry | null> {
    let p = loaded.get(ctx);
    if (!p) loaded.set(ctx, (p = fetch(key)));
    return p;
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
          if (key === undefined) return;
          const before = await load(ctx, key);
          const id = ctx.update.update_id;
          const updates = [...(before?.updates ?? []).filter((u) => u !== id), id].slice(-RECENT_UPDATES);
          const data = JSON.stringify(state);
          cache?.delete(key);
          await ConversationState.updateOne({ _id: key }, { $set: { data, updates } }, { upsert: true });
          cache?.set(key, { data: compact(data), updates });
          loaded.set(ctx, Promise.resolve({ data, updates }));
          recorded.add(ctx);
        },
        async delete(ctx) {
          const key = keyOf(ctx);
          if (key === undefined) return;
          cache?.delete(key);
          // The ids go with the document: the update that ended the dialogue is recorded the other
          // way, side by side (either order leaves a re-delivered copy harmless).
          await Promise.all([ConversationState.deleteOne({ _id: key }), claimUpdate(ctx.update.update_id)]);
          cache?.set(key, null);
          loaded.set(ctx, Promise.resolve(null));
          recorded.add(ctx);
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
    recorded: (ctx) => recorded.has(ctx),
  };
}

import type { VersionedState, VersionedStateStorage, ConversationData } from "@grammyjs/conversations";
import { ConversationState } from "../db/models/conversation-state";
import { ReadCache } from "../lib/read-cache";

/**
 * Bump when a dialogue's steps change in a way old replay logs cannot follow;
 * dialogues stored under another version are dropped (the member starts again).
 */
export const CONVERSATION_STATE_VERSION = 1;

export interface ConversationStorageOptions {
  /**
   * Keep what was read and written in memory (write-through), so an update costs no read: the
   * plugin reads the state of every update, also of chats without a dialogue. Correct because one
   * process serves the database and `sequentialize` orders the updates of a chat. Default on.
   */
  cache?: boolean;
}

/** The conversations plugin's state in MongoDB, one document per chat, as a JSON string. */
export function mongoConversationStorage(options: ConversationStorageOptions = {}): VersionedStateStorage<string, ConversationData> {
  // The JSON text is cached, not the object: the plugin mutates the state it read.
  const cache = options.cache === false ? undefined : new ReadCache<string, string | null>({ max: 5_000, ttlMs: 30 * 60_000 });
  return {
    async read(key) {
      let data = cache?.get(key)?.value;
      if (data === undefined) {
        const stamp = cache?.stamp();
        const doc = await ConversationState.findById(key, { data: 1 }).lean();
        data = doc?.data ?? null;
        cache?.set(key, data, stamp);
      }
      return data === null ? undefined : (JSON.parse(data) as VersionedState<ConversationData>);
    },
    async write(key, state) {
      const data = JSON.stringify(state);
      cache?.delete(key);
      await ConversationState.updateOne({ _id: key }, { $set: { data } }, { upsert: true });
      cache?.set(key, data);
    },
    async delete(key) {
      cache?.delete(key);
      await ConversationState.deleteOne({ _id: key });
      cache?.set(key, null);
    },
  };
}

import type { VersionedState, VersionedStateStorage, ConversationData } from "@grammyjs/conversations";
import { ConversationState } from "../db/models/conversation-state";

/**
 * Bump when a dialogue's steps change in a way old replay logs cannot follow;
 * dialogues stored under another version are dropped (the member starts again).
 */
export const CONVERSATION_STATE_VERSION = 1;

/** The conversations plugin's state in MongoDB, one document per chat, as a JSON string. */
export function mongoConversationStorage(): VersionedStateStorage<string, ConversationData> {
  return {
    async read(key) {
      const doc = await ConversationState.findById(key, { data: 1 }).lean();
      return doc ? (JSON.parse(doc.data) as VersionedState<ConversationData>) : undefined;
    },
    async write(key, state) {
      await ConversationState.updateOne({ _id: key }, { $set: { data: JSON.stringify(state) } }, { upsert: true });
    },
    async delete(key) {
      await ConversationState.deleteOne({ _id: key });
    },
  };
}

/** Short messages to the officers' group (validation answers, delivery trouble), through the outbox. */
import { enqueue, PRIORITY } from "../domain/outbox";

/** A short message to the officers' group (validation answers, delivery trouble). */
export async function queueGroupNotice(text: string, opts: { replyTo?: number; requestId?: string | null; dedupeKey?: string }, now: Date): Promise<void> {
  await enqueue(
    [
      {
        kind: "notice",
        chat: "group",
        method: "sendMessage",
        payload: { text, ...(opts.replyTo ? { reply_parameters: { message_id: opts.replyTo, allow_sending_without_reply: true } } : {}) },
        requestId: opts.requestId ?? null,
        priority: PRIORITY.notice,
        ...(opts.dedupeKey ? { dedupeKey: opts.dedupeKey } : {}),
      },
    ],
    now,
  );
}

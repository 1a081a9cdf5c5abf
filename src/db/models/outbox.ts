import { Schema, model, type InferSchemaType, Types } from "mongoose";

export const OUTBOX_KINDS = [
  "alert", // the card of a new request, in the officers' group (rendered when sent)
  "alert_media", // a request's first photo or voice note, as a reply to its card
  "card", // an edit of a card in place (rendered when sent)
  "digest", // several new requests in one group message, while the group limit holds cards back
  "prompt", // asks an officer in the group for a question, a note or a reason (force_reply)
  "notice", // a short message to the group (e.g. a reason that was empty)
  "group_relay", // a member's answer, as a reply to the card
  "member", // a status change told to the member
  "member_relay", // an officer's message relayed to the member
  "member_ack", // "your answer reached the officers"
  "officer_contact", // the member's phone, privately to the officer who claimed (rendered when sent)
  "officer_media", // all photos of a request, privately to the officer who claimed
  "membership", // sentra membership and chairperson requests and their answers
  "program", // a program's announcement, seat, change, cancellation or reminder, to a member (domain/program-notices.ts)
  "reminder", // scheduled jobs: the officers' morning digest, an officer's overdue list, an escalation to an admin
] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/**
 * Everything the bot must deliver about a request is written here first and sent by the dispatcher
 * (delivery/dispatcher.ts), so a crash or a Telegram outage delays a message but never drops it.
 * The Bot API payload is a JSON string: inline keyboards are nested arrays, which FerretDB v1 cannot store.
 */
const outboxSchema = new Schema(
  {
    kind: { type: String, enum: OUTBOX_KINDS, required: true },
    /** "group": the officers' group, looked up when sent (it may be linked later); "chat": `chatId`. */
    target: { type: String, enum: ["group", "chat"], required: true },
    chatId: { type: Number, default: null },
    /**
     * The messenger of a member's item (the member's last channel when it was queued, domain/outbox.ts):
     * "whatsapp" items are sent by the WhatsApp channel (src/whatsapp/dispatcher.ts), the rest by Telegram's.
     */
    channel: { type: String, enum: ["telegram", "whatsapp"], default: "telegram" },
    /** WhatsApp: the ids (wamid) of the sent messages (a status webhook's `failed` finds its request by them). */
    waMessageIds: { type: [String], default: undefined },
    /** WhatsApp: held until the member writes (outside the 24-hour window, after the update template). */
    awaitingMember: { type: Boolean, default: undefined },
    /** A Bot API call queued as such (by the Telegram layer): its method and payload. */
    method: { type: String, default: "" },
    payload: { type: String, required: true, default: "{}" },
    /** Or what to say, rendered when sent (domain/outbox.ts OutboxMessage), as JSON text. */
    message: { type: String, default: null },
    requestId: { type: Schema.Types.ObjectId, ref: "Request", default: null },
    /** Counts against the group's 20 messages a minute. */
    group: { type: Boolean, required: true },
    /** Lower goes first within the group budget. */
    priority: { type: Number, required: true, default: 5 },
    /** Sent as a reply to the request's card (waits for the card to exist). */
    replyToCard: { type: Boolean, default: false },
    /** Extra facts for after the send, as JSON text (prompt id, message to react to). */
    ref: { type: String, default: "{}" },
    /** Digests: the requests listed. */
    digestOf: { type: [String], default: undefined },
    status: { type: String, enum: ["pending", "sent", "failed"], required: true, default: "pending" },
    attempts: { type: Number, required: true, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lastError: { type: String, default: null },
    sentAt: { type: Date, default: null },
    messageIds: { type: [Number], default: undefined },
    /** Makes enqueueing idempotent (the same effect of the same timeline entry is queued once). */
    dedupeKey: { type: String, required: true, unique: true },
  },
  { timestamps: true },
);
outboxSchema.index({ status: 1, nextAttemptAt: 1 });
outboxSchema.index({ group: 1, sentAt: 1 });
outboxSchema.index({ requestId: 1, kind: 1, status: 1 });
outboxSchema.index({ waMessageIds: 1 }, { sparse: true });

export type OutboxDoc = InferSchemaType<typeof outboxSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const Outbox = model("Outbox", outboxSchema);

import { Schema, model, type InferSchemaType, Types } from "mongoose";
import { REQUEST_TYPES } from "../../vocabulary/request-types";
import { STATUSES } from "../../vocabulary/statuses";
import { KECAMATAN } from "../../vocabulary/kecamatan";
import { ATTACHMENT_CAPTION_MAX } from "../../lib/limits";
import { CONFIRMATION_STATES, CLOSURE_ENTRY_KINDS, STARS_MAX } from "../../vocabulary/closure-states";
export { ATTACHMENT_CAPTION_MAX };

/**
 * The step of an open request whose deadline `sla.dueAt` is: the first response (claim or review),
 * the follow-up after the review, finishing (the total target), or waiting for the member (no
 * deadline for the office then). See domain/deadlines.ts.
 */
export const DUE_STEPS = ["response", "followup", "finish", "member"] as const;

/**
 * Telegram allows 1024 characters in a caption; the request keeps the first 1000 (as any typed answer).
 * Here, not in domain/requests: that module imports this one, and a constant read from a module
 * still loading would be undefined when the schema is built (the limit silently off).
 */

/** Telegram files are kept by id (never downloaded). */
const attachmentSchema = new Schema(
  {
    kind: { type: String, enum: ["photo", "voice"], required: true },
    field: { type: String, required: true },
    fileId: { type: String, required: true },
    fileUniqueId: { type: String, required: true },
    duration: { type: Number },
    caption: { type: String, maxlength: ATTACHMENT_CAPTION_MAX },
  },
  { _id: false },
);

/** Every change: who, when, what. `by` is a Telegram user id (0 for the system). */
const timelineSchema = new Schema(
  {
    at: { type: Date, required: true },
    by: { type: Number, required: true },
    /** An officer's or admin's name as Telegram showed it (cards name admins, who are not in the officers list). */
    byName: { type: String, maxlength: 100 },
    role: { type: String, enum: ["member", "officer", "admin", "system"], required: true },
    kind: { type: String, enum: ["created", "status", "claim", "question", "answer", "reply", "note", "delivery", ...CLOSURE_ENTRY_KINDS], required: true },
    from: { type: String, enum: [...STATUSES, null] },
    to: { type: String, enum: [...STATUSES, null] },
    note: { type: String, maxlength: 4000 },
    /** A member's rating (kind "rating"): 1–5 stars. */
    stars: { type: Number, min: 1, max: STARS_MAX },
    attachments: { type: [attachmentSchema], default: undefined },
    /** The Telegram message this entry came from (answers, officer replies): a redelivered update adds nothing. */
    sourceChatId: { type: Number },
    sourceMessageId: { type: Number },
  },
  { _id: false },
);

const requestSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    type: { type: String, enum: REQUEST_TYPES, required: true },
    memberId: { type: Schema.Types.ObjectId, ref: "Member", required: true },
    memberTelegramId: { type: Number, required: true },
    /**
     * Filed by the sentra's chairperson for a member (memberId / memberTelegramId are then the
     * chairperson's: they hear of every step). The member it is for: one of the sentra (memberId) or
     * someone without Telegram, by name and phone.
     */
    onBehalf: {
      type: new Schema(
        {
          memberId: { type: Schema.Types.ObjectId, ref: "Member", default: null },
          name: { type: String, required: true, maxlength: 100 },
          phone: { type: String, maxlength: 20, default: null },
        },
        { _id: false },
      ),
      default: undefined,
    },
    /** Copied at creation: later changes to the member do not move old requests. */
    sentraId: { type: Schema.Types.ObjectId, ref: "Sentra", default: null },
    kecamatan: { type: String, enum: KECAMATAN, required: true },
    /** Field key -> answer (string, number, boolean or list of strings). Keys are plain words. */
    answers: { type: Schema.Types.Mixed, required: true, default: {} },
    attachments: { type: [attachmentSchema], default: [] },
    status: { type: String, enum: STATUSES, required: true, default: "diterima" },
    /** Where perlu_info returns to when the member answers. */
    infoReturnTo: { type: String, enum: [...STATUSES, null], default: null },
    assigneeTelegramId: { type: Number, default: null },
    /** The officer the routing rules named when the alert was queued (shown on the card; claiming is separate). */
    routedToTelegramId: { type: Number, default: null },
    timeline: { type: [timelineSchema], default: [] },
    /** Idempotency: the dialogue that produced it (a retried submit gives the same key, so one request). */
    sourceKey: { type: String, required: true, unique: true },
    /**
     * Set at creation and with every timeline entry; cleared by the officer workflow once what the
     * entries must cause (the alert, card edits, member notifications) is queued in the outbox.
     * A crash in between leaves it set, and the dispatcher queues the rest at its next run.
     */
    effectsPending: { type: Boolean, default: true },
    /** The same flag under its former name, in requests saved before it was renamed (read, then unset). */
    alertPending: { type: Boolean, default: undefined },
    /** How many timeline entries have their messages queued (see effectsPending). */
    effectsQueued: { type: Number, default: 0 },
    /** The alert card in the officers' group, edited in place. */
    card: {
      chatId: { type: Number },
      messageId: { type: Number },
      /** What the card shows now (a hash), so an edit that would change nothing is skipped. */
      hash: { type: String },
    },
    /** The member blocked the bot (403): shown to officers. */
    memberUnreachableAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    /** When an officer last finished it (selesai): the member's 10 working days to answer count from here. */
    resolvedAt: { type: Date, default: null },
    /** What the member said about the finished request (domain/closure.ts); null before any selesai. */
    confirmation: { type: String, enum: [...CONFIRMATION_STATES, null], default: null },
    /** The member's rating after *Sudah*; the comment is optional. */
    rating: {
      type: new Schema(
        { stars: { type: Number, min: 1, max: STARS_MAX, required: true }, comment: { type: String, maxlength: 1000 }, at: { type: Date, required: true } },
        { _id: false },
      ),
      default: null,
    },
    /** How often the member said *Belum* and the request went back to the officer. */
    reopenCount: { type: Number, default: 0 },
    /** Service levels (domain/deadlines.ts): written with every change of the request, read by the scheduled jobs. */
    sla: {
      step: { type: String, enum: [...DUE_STEPS, null], default: null },
      /** When the current step is due (the end of a WITA working day); null when closed or waiting for the member. */
      dueAt: { type: Date, default: null },
      /** The total target: submission plus the total number of working days. */
      targetAt: { type: Date, default: null },
      /** When the member was last asked for information (perlu_info). */
      infoAskedAt: { type: Date, default: null },
      /** The question (by its infoAskedAt) the member was reminded of: one reminder per question. */
      infoRemindedFor: { type: Date, default: null },
      /** When the request was escalated to the admins (once per request). */
      escalatedAt: { type: Date, default: null },
    },
  },
  { timestamps: true },
);

requestSchema.index({ memberId: 1, createdAt: -1 });
requestSchema.index({ sentraId: 1, status: 1, createdAt: -1 });
requestSchema.index({ status: 1, createdAt: 1 });
// The monthly recap and export read a range of createdAt.
requestSchema.index({ createdAt: 1 });
requestSchema.index({ effectsPending: 1 });
// The daily closure by silence: finished requests still waiting for the member, oldest first.
requestSchema.index({ confirmation: 1, resolvedAt: 1 });
// The scheduled jobs look for requests due or overdue (closed ones have no due date).
requestSchema.index({ "sla.dueAt": 1 });
requestSchema.index({ "sla.infoAskedAt": 1 });
requestSchema.index({ alertPending: 1 }, { sparse: true });

export type RequestDoc = InferSchemaType<typeof requestSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const Request = model("Request", requestSchema);

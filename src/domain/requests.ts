import { Types } from "mongoose";
import type { SlaSettings } from "../config";
import { Request, type RequestDoc } from "../db/models/request";
import { serialLocally } from "./locks";
import { counterKey, formatTrackingCode, recordTrackingSequence, trackingSequenceHint } from "./tracking-code";
import type { RequestType } from "../vocabulary/request-types";
import type { Status } from "../vocabulary/statuses";
import type { Kecamatan } from "../vocabulary/kecamatan";
import { isDuplicateKeyError } from "../db/errors";
import type { ClosureEntryKind, ConfirmationState, Rating } from "../vocabulary/closure-states";
import { deadlineFields, type DueStep, type SlaView } from "./deadlines";
export type { DueStep, SlaView };

export type AnswerValue = string | number | boolean | string[];

export interface Attachment {
  kind: "photo" | "voice";
  field: string;
  fileId: string;
  fileUniqueId: string;
  duration?: number;
  /** Photos: the text the member wrote under it (trimmed, at most ATTACHMENT_CAPTION_MAX characters). */
  caption?: string;
}

/** Defined with the model (see there), so the schema never reads it from a module still loading. */
export { ATTACHMENT_CAPTION_MAX } from "../db/models/request";

export interface TimelineEntry {
  at: Date;
  by: number;
  /** Staff entries: the officer's or admin's name at the time. */
  byName?: string;
  role: "member" | "officer" | "admin" | "system";
  kind: "created" | "status" | "claim" | "question" | "answer" | "reply" | "note" | "delivery" | ClosureEntryKind;
  from?: Status | null;
  to?: Status | null;
  note?: string;
  /** Kind "rating": the member's stars. */
  stars?: number;
  attachments?: Attachment[];
  sourceChatId?: number;
  sourceMessageId?: number;
}

/** The name an officer or admin had when they last acted on the request, if it was recorded. */
export function actedAs(request: { timeline: TimelineEntry[] }, telegramId: number): string | undefined {
  for (let i = request.timeline.length - 1; i >= 0; i--) {
    const e = request.timeline[i];
    if (e.by === telegramId && e.byName) return e.byName;
  }
  return undefined;
}

/** A request as plain data (JSON-safe apart from the dates). */
/** Who a request filed by a chairperson is for: a member of the sentra, or someone without Telegram. */
export interface OnBehalf {
  memberId: string | null;
  name: string;
  phone: string | null;
}

export interface RequestView {
  id: string;
  code: string;
  type: RequestType;
  memberId: string;
  memberTelegramId: number;
  /** Filed by the chairperson for this member (see the model); memberId is then the chairperson's. */
  onBehalf?: OnBehalf;
  sentraId: string | null;
  kecamatan: Kecamatan;
  answers: Record<string, AnswerValue>;
  attachments: Attachment[];
  status: Status;
  infoReturnTo: Status | null;
  assigneeTelegramId: number | null;
  routedToTelegramId: number | null;
  timeline: TimelineEntry[];
  card?: { chatId?: number; messageId?: number; hash?: string };
  memberUnreachableAt: Date | null;
  /** When it was last closed (selesai or ditolak); null while open. */
  closedAt: Date | null;
  /** The member's answer to a finished request (domain/closure.ts). */
  resolvedAt: Date | null;
  confirmation: ConfirmationState | null;
  rating: Rating | null;
  reopenCount: number;
  sla: SlaView;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A stored request as the domain sees it. The one typed boundary: mongoose types the optional fields
 * of subdocuments as `T | null`; the bot never writes null there, and every reader treats a missing
 * value and null alike, so the arrays are taken as the domain's types.
 */
export function toRequestView(doc: RequestDoc): RequestView {
  return {
    id: String(doc._id),
    code: doc.code,
    type: doc.type,
    memberId: String(doc.memberId),
    memberTelegramId: doc.memberTelegramId,
    ...(doc.onBehalf ? { onBehalf: { memberId: doc.onBehalf.memberId ? String(doc.onBehalf.memberId) : null, name: doc.onBehalf.name, phone: doc.onBehalf.phone ?? null } } : {}),
    sentraId: doc.sentraId ? String(doc.sentraId) : null,
    kecamatan: doc.kecamatan,
    answers: doc.answers ?? {},
    attachments: (doc.attachments ?? []) as unknown as Attachment[],
    status: doc.status,
    infoReturnTo: doc.infoReturnTo ?? null,
    assigneeTelegramId: doc.assigneeTelegramId ?? null,
    routedToTelegramId: doc.routedToTelegramId ?? null,
    timeline: (doc.timeline ?? []) as unknown as TimelineEntry[],
    card: doc.card ? { chatId: doc.card.chatId ?? undefined, messageId: doc.card.messageId ?? undefined, hash: doc.card.hash ?? undefined } : undefined,
    memberUnreachableAt: doc.memberUnreachableAt ?? null,
    closedAt: doc.closedAt ?? null,
    resolvedAt: doc.resolvedAt ?? null,
    confirmation: doc.confirmation ?? null,
    rating: doc.rating ? { stars: doc.rating.stars, ...(doc.rating.comment ? { comment: doc.rating.comment } : {}), at: doc.rating.at } : null,
    reopenCount: doc.reopenCount ?? 0,
    sla: slaView(doc.sla),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function slaView(s: Partial<Record<keyof SlaView, unknown>> | null | undefined): SlaView {
  const date = (v: unknown) => (v instanceof Date ? v : null);
  return {
    step: (s?.step as DueStep | null | undefined) ?? null,
    dueAt: date(s?.dueAt),
    targetAt: date(s?.targetAt),
    infoAskedAt: date(s?.infoAskedAt),
    infoRemindedFor: date(s?.infoRemindedFor),
    escalatedAt: date(s?.escalatedAt),
  };
}

export interface NewRequest {
  type: RequestType;
  member: { id: string; telegramId: number; sentraId?: string | null; kecamatan: Kecamatan };
  /** Filed by a chairperson (`member`) for this member. */
  onBehalf?: OnBehalf;
  answers: Record<string, AnswerValue>;
  attachments: Attachment[];
  /** Identifies the dialogue that produced it; the same key twice gives the same request. */
  sourceKey: string;
  now: Date;
  /** The service levels in force (config.sla): its first deadline is stored with it. */
  sla: SlaSettings;
}

/** A request as saved, whether this call created it, and the tracking counter's write (in flight). */
export interface SavedRequest {
  request: RequestView;
  created: boolean;
  counted: Promise<void>;
}

/**
 * Saves a new request with a fresh tracking code, status `diterima` and a first timeline entry, and
 * nothing more: `submitRequest` (effects.ts) is what the dialogues call, to queue its alert too.
 * Idempotent by `sourceKey`: a retried or duplicated submit returns the request already saved.
 * The request is created with `effectsPending: true`: until its alert is queued, the dispatcher's scan
 * finds it there.
 */
export async function saveRequest(input: NewRequest): Promise<SavedRequest> {
  // No look-up first: the unique index on sourceKey refuses a second insert (see insertWithFreeCode).
  const saved = await serialLocally(counterKey(input.type, input.now), () => insertWithFreeCode(input));
  return { request: saved.view, created: saved.created, counted: saved.counted ?? Promise.resolve() };
}

/** saveRequest, once its counter is written. */
export async function createRequest(input: NewRequest): Promise<RequestView> {
  const saved = await saveRequest(input);
  await saved.counted;
  return saved.request;
}

/**
 * Inserts with the next free code. In this process, requests of one type and month are numbered one
 * after the other (serialLocally), so they rarely collide; across processes the unique index on `code`
 * decides and the loser takes the next number.
 */
async function insertWithFreeCode(input: NewRequest): Promise<{ view: RequestView; created: boolean; counted?: Promise<void> }> {
  let seq = await trackingSequenceHint(input.type, input.now);
  // Its first deadline (the first response), stored with it (deadlines.ts).
  const due = await deadlineFields({ status: "diterima", assigneeTelegramId: null, createdAt: input.now, timeline: [{ at: input.now, kind: "created", role: "member" }] }, input);
  for (let attempt = 0; attempt < 500; attempt++) {
    try {
      const doc = await Request.create({
        code: formatTrackingCode(input.type, input.now, seq),
        type: input.type,
        memberId: new Types.ObjectId(input.member.id),
        memberTelegramId: input.member.telegramId,
        ...(input.onBehalf
          ? { onBehalf: { memberId: input.onBehalf.memberId ? new Types.ObjectId(input.onBehalf.memberId) : null, name: input.onBehalf.name, phone: input.onBehalf.phone } }
          : {}),
        sentraId: input.member.sentraId ? new Types.ObjectId(input.member.sentraId) : null,
        kecamatan: input.member.kecamatan,
        answers: input.answers,
        attachments: input.attachments,
        status: "diterima",
        timeline: [{ at: input.now, by: input.member.telegramId, role: "member", kind: "created", to: "diterima" }],
        sourceKey: input.sourceKey,
        effectsPending: true,
        ...due,
      });
      // Known in this process at once (the next number needs no read); written to the counter meanwhile.
      const counted = recordTrackingSequence(input.type, input.now, seq);
      counted.catch(() => undefined); // awaited (and its error reported) by the caller of saveRequest
      return { view: toRequestView(doc.toObject()), created: true, counted };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // Either the same submit was delivered twice (unique sourceKey: return that request) or
      // another process took this code a moment ago (unique code: take the next number).
      const again = await Request.findOne({ sourceKey: input.sourceKey }).lean();
      if (again) return { view: toRequestView(again), created: false };
      seq = Math.max(seq + 1, await trackingSequenceHint(input.type, input.now, true));
    }
  }
  throw new Error(`no free tracking code for ${input.type} after 500 attempts`);
}

export async function findRequestByCode(code: string): Promise<RequestView | null> {
  const doc = await Request.findOne({ code }).lean();
  return doc ? toRequestView(doc) : null;
}

export async function findRequestById(id: string): Promise<RequestView | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  const doc = await Request.findById(id).lean();
  return doc ? toRequestView(doc) : null;
}

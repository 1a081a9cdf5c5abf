/**
 * Closing the loop with the member (SP4N-LAPOR! practice): after an officer finishes a request
 * (selesai) the member is asked whether the problem is solved. *Sudah* confirms it and leads to a
 * rating (1–5 stars, then an optional comment); *Belum* with a short reason (typed or a voice note)
 * reopens it for the officer who handled it. Without an answer it is accepted after 10 working days
 * (`closeUnconfirmed`, run daily by the scheduler with the cut-off it computes).
 *
 * Every change is made under the request's lock and as a conditional update (`commitIf`), so a
 * double press, a re-delivered update or two processes closing the same requests change it once.
 * Identity: the member is whoever Telegram says pressed or wrote, checked against the request's member.
 */
import { Request } from "../db/models/request";
import { commitIf, load, withRequestLock, type RequestLean, type RequestSet } from "./request-effects";
import type { ChangeBasis } from "./deadlines";
import type { SlaSettings } from "../config";
import { toRequestView, type Attachment, type RequestView, type TimelineEntry } from "./requests";
import type { Status } from "../vocabulary/statuses";
import { REOPEN_STATUS, SILENT_CLOSURE_WORKING_DAYS, STARS_MAX } from "../vocabulary/closure-states";
import { previousWorkingDay, startOfWitaDay, type Calendar } from "./working-days";
import type { ScheduledJob } from "./scheduler";
import { NOTE_MAX } from "../lib/limits";

export { REOPEN_STATUS, STARS_MAX };
/** A reason for *Belum* and a rating's comment: as long as a member's answer. */
export const CLOSURE_TEXT_MAX = NOTE_MAX;

export type ClosureRefusalReason = "not_found" | "not_waiting" | "not_confirmed" | "already_rated" | "already_commented" | "bad_stars";
export interface ClosureRefusal {
  ok: false;
  reason: ClosureRefusalReason;
  request?: RequestView;
}
export type ClosureResult = { ok: true; request: RequestView; again: boolean } | ClosureRefusal;

export interface ReasonContent {
  text?: string;
  voice?: { fileId: string; fileUniqueId: string; duration?: number };
}
export interface ClosureSource {
  chatId: number;
  messageId: number;
}

/** What a status change sets about the closure: selesai starts the member's wait for an answer. */
export function resolutionFields(to: Status, now: Date): Pick<RequestSet, "resolvedAt" | "confirmation"> {
  return to === "selesai" ? { resolvedAt: now, confirmation: "waiting" } : {};
}

/** The stored state that lets the member answer the question "sudah teratasi?". */
const WAITING = { status: "selesai", confirmation: "waiting" } as const;

function refuse(reason: ClosureRefusalReason, doc?: RequestLean | null): ClosureRefusal {
  return { ok: false, reason, ...(doc ? { request: toRequestView(doc) } : {}) };
}

/** Runs `fn` on the member's own request under its lock; anyone else's (or none) is "not_found". */
function onMemberRequest(requestId: string, memberTelegramId: number, fn: (doc: RequestLean) => Promise<ClosureResult>): Promise<ClosureResult> {
  return withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc || doc.memberTelegramId !== memberTelegramId) return refuse("not_found");
    return fn(doc);
  });
}

function isWaiting(doc: RequestLean): boolean {
  return doc.status === WAITING.status && doc.confirmation === WAITING.confirmation;
}

function memberEntry(memberTelegramId: number, now: Date, kind: TimelineEntry["kind"], extra: Partial<TimelineEntry> = {}): TimelineEntry {
  return { at: now, by: memberTelegramId, role: "member", kind, ...extra };
}

/** A request of this member, for the closure buttons (null when not theirs). */
export async function memberClosureRequest(requestId: string, memberTelegramId: number): Promise<RequestView | null> {
  const doc = await load(requestId);
  return doc && doc.memberTelegramId === memberTelegramId ? toRequestView(doc) : null;
}

/** *Sudah*: the member confirms the problem is solved. Pressed again: nothing changes (`again`). */
export function confirmResolved(requestId: string, memberTelegramId: number, basis: ChangeBasis): Promise<ClosureResult> {
  const { now } = basis;
  return onMemberRequest(requestId, memberTelegramId, async (doc) => {
    if (doc.confirmation === "confirmed") return { ok: true, request: toRequestView(doc), again: true };
    if (!isWaiting(doc)) return refuse("not_waiting", doc);
    const request = await commitIf(doc, WAITING, { entries: [memberEntry(memberTelegramId, now, "confirmed")], set: { confirmation: "confirmed" } }, basis);
    return request ? { ok: true, request, again: false } : refuse("not_waiting", doc);
  });
}

/**
 * *Belum* with the member's reason (text or a voice note): the request goes back to the officer who
 * handled it (REOPEN_STATUS, same assignee), reopenCount + 1. The same message twice reopens once.
 */
export function reopenByMember(requestId: string, memberTelegramId: number, content: ReasonContent, source: ClosureSource, basis: ChangeBasis): Promise<ClosureResult> {
  const { now } = basis;
  return onMemberRequest(requestId, memberTelegramId, async (doc) => {
    const r = toRequestView(doc);
    if (r.timeline.some((e) => e.kind === "reopened" && e.sourceChatId === source.chatId && e.sourceMessageId === source.messageId)) {
      return { ok: true, request: r, again: true };
    }
    if (!isWaiting(doc)) return refuse("not_waiting", doc);
    const text = content.text?.trim().slice(0, CLOSURE_TEXT_MAX);
    const attachments: Attachment[] | undefined = content.voice
      ? [{ kind: "voice", field: "reopened", fileId: content.voice.fileId, fileUniqueId: content.voice.fileUniqueId, duration: content.voice.duration }]
      : undefined;
    const entry = memberEntry(memberTelegramId, now, "reopened", {
      from: "selesai",
      to: REOPEN_STATUS,
      ...(text ? { note: text } : {}),
      ...(attachments ? { attachments } : {}),
      sourceChatId: source.chatId,
      sourceMessageId: source.messageId,
    });
    const set: RequestSet = {
      status: REOPEN_STATUS,
      confirmation: "reopened",
      closedAt: null,
      infoReturnTo: null,
      reopenCount: (doc.reopenCount ?? 0) + 1,
      memberUnreachableAt: null,
    };
    const request = await commitIf(doc, WAITING, { entries: [entry], set }, basis);
    return request ? { ok: true, request, again: false } : refuse("not_waiting", doc);
  });
}

/** The stars after *Sudah* (1–5). The first rating counts; another press changes nothing. */
export function rateRequest(requestId: string, memberTelegramId: number, stars: number, basis: ChangeBasis): Promise<ClosureResult> {
  const { now } = basis;
  return onMemberRequest(requestId, memberTelegramId, async (doc) => {
    if (!Number.isInteger(stars) || stars < 1 || stars > STARS_MAX) return refuse("bad_stars", doc);
    if (doc.rating) return refuse("already_rated", doc);
    if (doc.confirmation !== "confirmed") return refuse("not_confirmed", doc);
    const request = await commitIf(
      doc,
      { confirmation: "confirmed", rating: null },
      { entries: [memberEntry(memberTelegramId, now, "rating", { stars })], set: { rating: { stars, at: now } } },
      basis,
    );
    return request ? { ok: true, request, again: false } : refuse("already_rated", doc);
  });
}

/** The rating's optional comment (once; the same message twice is recorded once). */
export function commentOnRating(requestId: string, memberTelegramId: number, text: string, source: ClosureSource, basis: ChangeBasis): Promise<ClosureResult> {
  const { now } = basis;
  return onMemberRequest(requestId, memberTelegramId, async (doc) => {
    const r = toRequestView(doc);
    if (r.timeline.some((e) => e.kind === "rating_comment" && e.sourceChatId === source.chatId && e.sourceMessageId === source.messageId)) {
      return { ok: true, request: r, again: true };
    }
    if (!r.rating) return refuse("not_confirmed", doc);
    if (r.rating.comment) return refuse("already_commented", doc);
    const comment = text.trim().slice(0, CLOSURE_TEXT_MAX);
    const entry = memberEntry(memberTelegramId, now, "rating_comment", { note: comment, sourceChatId: source.chatId, sourceMessageId: source.messageId });
    const request = await commitIf(doc, { "rating.stars": { $gte: 1 }, "rating.comment": { $exists: false } }, { entries: [entry], set: { "rating.comment": comment } }, basis);
    return request ? { ok: true, request, again: false } : refuse("already_commented", doc);
  });
}

/** Whether one request still waits for its member and was finished before `resolvedBefore`. */
function dueForSilentClosure(resolvedBefore: Date) {
  return { ...WAITING, resolvedAt: { $lt: resolvedBefore } };
}

/**
 * One finished request without the member's answer since before `resolvedBefore`: accepted
 * (confirmation "closed_silently", a system entry on the timeline, the member told). False when it
 * is not due (any more): answered meanwhile, reopened, or closed by another process.
 */
export async function closeUnconfirmedOne(requestId: string, resolvedBefore: Date, basis: ChangeBasis): Promise<boolean> {
  const { now } = basis;
  return withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc || !isWaiting(doc) || !doc.resolvedAt || doc.resolvedAt.getTime() >= resolvedBefore.getTime()) return false;
    const entry: TimelineEntry = { at: now, by: 0, role: "system", kind: "accepted" };
    return (await commitIf(doc, dueForSilentClosure(resolvedBefore), { entries: [entry], set: { confirmation: "closed_silently" } }, basis)) !== null;
  });
}

/**
 * Every finished request still waiting for its member that was finished before `resolvedBefore`
 * (the scheduler passes "10 working days ago"): accepted, oldest first, at most `limit` per run.
 * Idempotent, and safe with two processes at once. Returns how many this call closed.
 */
export async function closeUnconfirmed(basis: ChangeBasis, resolvedBefore: Date, limit = 500): Promise<number> {
  const due = await Request.find(dueForSilentClosure(resolvedBefore), { _id: 1 }).sort({ resolvedAt: 1 }).limit(limit).lean();
  let closed = 0;
  for (const d of due) if (await closeUnconfirmedOne(String(d._id), resolvedBefore, basis)) closed++;
  return closed;
}

/**
 * The instant before which a finished request has waited SILENT_CLOSURE_WORKING_DAYS full working
 * days by `today` (a WITA day): the start of the working day that many working days before today.
 * Finished on that day or later, the member still has time.
 */
export function silentClosureCutoff(today: string, calendar: Calendar): Date {
  let day = today;
  for (let i = 0; i < SILENT_CLOSURE_WORKING_DAYS; i++) day = previousWorkingDay(day, calendar);
  return startOfWitaDay(day);
}

/** The daily job: finished requests the member did not answer within 10 working days are closed as accepted. */
export function silentClosureJob(sla: SlaSettings): ScheduledJob {
  return {
    name: "closure_silent",
    at: sla.digestTime,
    workingDaysOnly: true,
    run: async (ctx) => ({ closed: await closeUnconfirmed({ now: ctx.now, sla, calendar: ctx.calendar }, silentClosureCutoff(ctx.slot, ctx.calendar)) }),
  };
}

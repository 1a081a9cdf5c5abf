/**
 * The officer workflow's rules: submitting a request, claiming, status changes with notes, prompts,
 * relays in both directions. Each action checks and writes under the request's lock and leaves
 * what it causes to request-effects.ts (the outbox items, channel-neutral). No Telegram here.
 */
import { Types } from "mongoose";
import { OfficerPrompt } from "../db/models/officer-prompt";
import { enqueue, PRIORITY } from "./outbox";
import { commit, load, queueEffectsOf, withRequestLock, type RequestLean, type RequestSet } from "./request-effects";
import type { ChangeBasis } from "./deadlines";
import { saveRequest, toRequestView, type Attachment, type NewRequest, type RequestView, type TimelineEntry } from "./requests";
import { isOpen, type Status } from "../vocabulary/statuses";
import { checkTransition, infoReturnFor } from "./statuses";
import type { StaffRole } from "./officers";
import { ACTION_STATUS, isStatusAction, type OfficerAction, type PromptAction } from "./officer-actions";
import type { Logger } from "../logger";
import { NOTE_MAX } from "../lib/limits";
import { resolutionFields } from "./closure";

/** An officer prompt (question, note, reason) waits this long for the officer's reply. */
export const PROMPT_TTL_MS = 30 * 60_000;
export { NOTE_MAX };

export interface Actor {
  telegramId: number;
  role: StaffRole;
  /** Shown in prompts (a mention). */
  name: string;
}

export type RefusalReason = "not_found" | "closed" | "same" | "not_allowed" | "note_required" | "not_from_perlu_info" | "claimed_by_other";
export interface Refusal {
  ok: false;
  reason: RefusalReason;
  request?: RequestView;
  to?: Status;
}
export type Result<T = object> = ({ ok: true; request: RequestView } & T) | Refusal;

export interface RelayContent {
  text?: string;
  photo?: { fileId: string; fileUniqueId: string };
  voice?: { fileId: string; fileUniqueId: string; duration?: number };
}
export interface Source {
  chatId: number;
  messageId: number;
}

/**
 * A new request: saved, then its alert queued at once, from the request as just saved (under the
 * lock, without reading it again: nothing else can have changed it meanwhile except the dispatcher's
 * scan queueing the same effects, and those the dedupe keys refuse). The counter's write and the
 * queueing go to the database side by side. If the queueing fails, the request is saved all the
 * same (`effectsPending`): the failure is logged and the scan queues the alert later, so the member's
 * dialogue is not disturbed. A duplicate submit returns the request already saved.
 */
export async function submitRequest(input: NewRequest, log?: Pick<Logger, "warn">): Promise<RequestView> {
  const saved = await saveRequest(input);
  const queued = saved.created
    ? withRequestLock(saved.request.id, () => queueEffectsOf(saved.request, 0, input.now)).catch((err: unknown) => {
        log?.warn({ err: err instanceof Error ? err.message : String(err), request: saved.request.id }, "alert of a new request not queued; the dispatcher's scan will");
      })
    : undefined;
  await Promise.all([saved.counted, queued]);
  return saved.request;
}

function contentAttachments(content: RelayContent, field: string): Attachment[] {
  if (content.photo) return [{ kind: "photo", field, fileId: content.photo.fileId, fileUniqueId: content.photo.fileUniqueId }];
  if (content.voice) return [{ kind: "voice", field, fileId: content.voice.fileId, fileUniqueId: content.voice.fileUniqueId, duration: content.voice.duration }];
  return [];
}

function refusal(reason: RefusalReason, r?: RequestView, to?: Status): Refusal {
  return { ok: false, reason, ...(r ? { request: r } : {}), ...(to ? { to } : {}) };
}

function byName(actor: Actor): { byName?: string } {
  return actor.name ? { byName: actor.name.slice(0, 100) } : {};
}

function claimEntry(actor: Actor, now: Date): TimelineEntry {
  return { at: now, by: actor.telegramId, ...byName(actor), role: actor.role, kind: "claim" };
}

/** Ambil: the officer takes the request and gets the member's phone privately. Admins may take over. */
export async function claimRequest(requestId: string, actor: Actor, basis: ChangeBasis): Promise<Result<{ again: boolean }>> {
  const { now } = basis;
  return withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return refusal("not_found");
    const r = toRequestView(doc);
    if (!isOpen(r.status)) return refusal("closed", r);
    if (r.assigneeTelegramId === actor.telegramId) {
      // Pressed again (e.g. after opening the private chat): send the contact once more.
      await enqueue([{ kind: "officer_contact", chat: actor.telegramId, requestId: r.id, priority: PRIORITY.direct }], now);
      return { ok: true, request: r, again: true };
    }
    if (r.assigneeTelegramId !== null && actor.role !== "admin") return refusal("claimed_by_other", r);
    const request = await commit(doc, { entries: [claimEntry(actor, now)], set: { assigneeTelegramId: actor.telegramId } }, basis);
    return { ok: true, request, again: false };
  });
}

/** Checks a status change without doing it (before asking the officer for a note). */
function checkChange(r: RequestView, actor: Actor, to: Status, note: string | undefined): Refusal | null {
  const check = checkTransition(r.status, to, { note, returnTo: r.infoReturnTo, claimed: r.assigneeTelegramId !== null });
  if (!check.ok) return refusal(check.reason, r, to);
  if (r.assigneeTelegramId !== null && r.assigneeTelegramId !== actor.telegramId && actor.role !== "admin") return refusal("claimed_by_other", r, to);
  return null;
}

async function changeStatusLocked(doc: RequestLean, actor: Actor, to: Status, note: string | undefined, basis: ChangeBasis): Promise<Result> {
  const { now } = basis;
  const r = toRequestView(doc);
  const refused = checkChange(r, actor, to, note);
  if (refused) return refused;
  const entries: TimelineEntry[] = [];
  const set: RequestSet = { status: to, ...resolutionFields(to, now) };
  // Whoever moves an unclaimed request owns it.
  if (r.assigneeTelegramId === null) {
    entries.push(claimEntry(actor, now));
    set.assigneeTelegramId = actor.telegramId;
  }
  entries.push({ at: now, by: actor.telegramId, ...byName(actor), role: actor.role, kind: "status", from: r.status, to, ...(note ? { note } : {}) });
  if (to === "perlu_info") set.infoReturnTo = infoReturnFor(r.status);
  else if (r.status === "perlu_info") set.infoReturnTo = null;
  if (!isOpen(to)) set.closedAt = now;
  return { ok: true, request: await commit(doc, { entries, set }, basis) };
}

/** A status change by an officer or admin (notes required where statuses.ts says so). */
export async function changeStatus(requestId: string, actor: Actor, to: Status, note: string | undefined, basis: ChangeBasis): Promise<Result> {
  return withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return refusal("not_found");
    return changeStatusLocked(doc, actor, to, note?.trim() || undefined, basis);
  });
}

/**
 * Minta info / Selesai / Tolak: checks the change is possible, then asks the officer (in the group,
 * as a reply to the card) for the question, the note or the reason.
 */
export async function openPrompt(requestId: string, actor: Actor, action: PromptAction, now: Date): Promise<Result<{ promptId: string }>> {
  const doc = await load(requestId);
  if (!doc) return refusal("not_found");
  const r = toRequestView(doc);
  const refused = isStatusAction(action) ? checkChange(r, actor, ACTION_STATUS[action], "-") : checkMessage(r, actor);
  if (refused) return refused;
  const prompt = await OfficerPrompt.create({ requestId: doc._id, officerTelegramId: actor.telegramId, action, expiresAt: new Date(now.getTime() + PROMPT_TTL_MS) });
  await enqueue(
    [
      {
        kind: "prompt",
        chat: "group",
        message: { type: "prompt", action, officerId: actor.telegramId, officerName: actor.name },
        requestId: r.id,
        priority: PRIORITY.prompt,
        replyToCard: true,
        ref: { messageRef: "prompt", promptId: String(prompt._id) },
        dedupeKey: `prompt:${String(prompt._id)}`,
      },
    ],
    now,
  );
  return { ok: true, request: r, promptId: String(prompt._id) };
}

export type PromptOutcome =
  | { ok: true; request: RequestView; action: PromptAction }
  | { ok: false; reason: "expired" | "cancelled" | "empty" | "too_long"; code: string; action: OfficerAction; count?: number }
  /** Another officer replied: only the addressed one's reply counts, and the prompt stays open for them. */
  | { ok: false; reason: "not_yours"; code: string; action: OfficerAction; addressedTo: number }
  | Refusal;

/** Whether an officer's reply to a prompt cancels it ("/batal", "/cancel", also addressed to the bot). */
export function isPromptCancel(text: string): boolean {
  return /^\/(batal|cancel)(@\w+)?$/i.test(text.trim());
}

/**
 * The officer's reply to a prompt: the question / note / reason (text), the message for the member
 * (text, photo or voice), or "/batal".
 */
export async function answerPrompt(promptId: string, actor: Actor, content: RelayContent, source: Source, basis: ChangeBasis): Promise<PromptOutcome> {
  const { now } = basis;
  const prompt = Types.ObjectId.isValid(promptId) ? await OfficerPrompt.findById(promptId).lean() : null;
  if (!prompt) return refusal("not_found");
  const requestId = String(prompt.requestId);
  return withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return refusal("not_found");
    const fresh = await OfficerPrompt.findById(promptId).lean();
    const action = prompt.action as PromptAction;
    const base = { code: doc.code, action };
    if (!fresh) return refusal("not_found");
    if (fresh.officerTelegramId !== actor.telegramId) return { ok: false, reason: "not_yours", addressedTo: fresh.officerTelegramId, ...base };
    if (fresh.usedAt || fresh.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired", ...base };
    const value = (content.text ?? "").trim().replace(/[ \t]+/g, " ");
    if (isPromptCancel(value)) {
      await OfficerPrompt.updateOne({ _id: fresh._id }, { $set: { usedAt: now } });
      return { ok: false, reason: "cancelled", ...base };
    }
    const media = action === "message" && Boolean(content.photo || content.voice);
    if ((!value && !media) || value.startsWith("/")) return { ok: false, reason: "empty", ...base };
    if (value.length > NOTE_MAX) return { ok: false, reason: "too_long", count: value.length, ...base };
    const result = isStatusAction(action)
      ? await changeStatusLocked(doc, actor, ACTION_STATUS[action], value, basis)
      : await officerEntryLocked(doc, actor, "reply", { ...content, text: value || undefined }, source, basis);
    // Spent either way: done, or the request moved meanwhile (the officer is told).
    await OfficerPrompt.updateOne({ _id: fresh._id }, { $set: { usedAt: now } });
    return result.ok ? { ...result, action } : result;
  });
}

/** Pesan ke anggota: possible while the request is open, for whoever has it (or anyone, unclaimed; admins always). */
function checkMessage(r: RequestView, actor: Actor): Refusal | null {
  if (!isOpen(r.status)) return refusal("closed", r);
  if (r.assigneeTelegramId !== null && r.assigneeTelegramId !== actor.telegramId && actor.role !== "admin") return refusal("claimed_by_other", r);
  return null;
}

function isDuplicate(r: RequestView, source: Source): boolean {
  return r.timeline.some((e) => e.sourceChatId === source.chatId && e.sourceMessageId === source.messageId);
}

/**
 * An officer's message on a request, under its lock: "reply" goes to the member (written through
 * Pesan ke anggota), "note" stays with the officers (any other reply to a card: officers talk among
 * themselves there). The same Telegram message twice is recorded once.
 */
async function officerEntryLocked(doc: RequestLean, actor: Actor, kind: "reply" | "note", content: RelayContent, source: Source, basis: ChangeBasis): Promise<Result> {
  const { now } = basis;
  const r = toRequestView(doc);
  if (!isOpen(r.status)) return refusal("closed", r);
  if (isDuplicate(r, source)) return { ok: true, request: r };
  const entry: TimelineEntry = {
    at: now,
    by: actor.telegramId,
    ...byName(actor),
    role: actor.role,
    kind,
    ...(content.text ? { note: content.text.slice(0, NOTE_MAX) } : {}),
    ...(content.photo || content.voice ? { attachments: contentAttachments(content, kind) } : {}),
    sourceChatId: source.chatId,
    sourceMessageId: source.messageId,
  };
  return { ok: true, request: await commit(doc, { entries: [entry] }, basis) };
}

/** A reply to a card (or to another message of the request) in the group: an internal note, never sent to the member. */
export async function recordInternalNote(requestId: string, actor: Actor, content: RelayContent, source: Source, basis: ChangeBasis): Promise<Result> {
  return withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return refusal("not_found");
    return officerEntryLocked(doc, actor, "note", content, source, basis);
  });
}

/**
 * The member's answer (text, photo or voice) to a request of theirs: it goes to the group as a reply
 * to the card, and a request waiting for information returns to where it was.
 */
export async function recordMemberAnswer(requestId: string, memberTelegramId: number, content: RelayContent, source: Source, basis: ChangeBasis): Promise<Result> {
  const { now } = basis;
  return withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc || doc.memberTelegramId !== memberTelegramId) return refusal("not_found");
    const r = toRequestView(doc);
    if (!isOpen(r.status)) return refusal("closed", r);
    if (isDuplicate(r, source)) return { ok: true, request: r };
    const entries: TimelineEntry[] = [
      {
        at: now,
        by: memberTelegramId,
        role: "member",
        kind: "answer",
        ...(content.text ? { note: content.text.slice(0, NOTE_MAX) } : {}),
        ...(content.photo || content.voice ? { attachments: contentAttachments(content, "answer") } : {}),
        sourceChatId: source.chatId,
        sourceMessageId: source.messageId,
      },
    ];
    const set: RequestSet = { memberUnreachableAt: null };
    if (r.status === "perlu_info") {
      const back: Status = r.infoReturnTo ?? "ditelaah";
      if (checkTransition(r.status, back, { returnTo: r.infoReturnTo }).ok) {
        entries.push({ at: now, by: memberTelegramId, role: "member", kind: "status", from: r.status, to: back });
        set.status = back;
        set.infoReturnTo = null;
      }
    }
    return { ok: true, request: await commit(doc, { entries, set }, { ...basis, touchCard: Boolean(r.memberUnreachableAt) }) };
  });
}

/** A request of this member, for the Jawab button and replies (null when not theirs). */
export async function memberRequest(requestId: string, memberTelegramId: number): Promise<RequestView | null> {
  const doc = await load(requestId);
  return doc && doc.memberTelegramId === memberTelegramId ? toRequestView(doc) : null;
}

/**
 * The officer workflow on requests: claiming, status changes with notes, prompts, relays in both
 * directions, delivery outcomes. Every change of a request happens under its lock (FerretDB v1
 * loses concurrent updates of one document), appends timeline entries and sets `alertPending`;
 * then what the new entries must cause (the alert, card edits, member notifications, relays) is
 * derived from the timeline and queued in the outbox with keys made of the entry's index. A crash
 * anywhere in between leaves `alertPending` set, and the dispatcher's next run queues the rest, so
 * nothing is lost and nothing is queued twice.
 */
import { Types } from "mongoose";
import { Request } from "../db/models/request";
import { OfficerPrompt } from "../db/models/officer-prompt";
import { Outbox } from "../db/models/outbox";
import { MessageRef } from "../db/models/message-ref";
import { withLock } from "./locks";
import { enqueue, hasPending, PRIORITY, sentAlerts, type NewOutboxItem } from "./outbox";
export { PRIORITY } from "./outbox";
import { recordMessageRef } from "./message-refs";
import { saveRequest, toRequestView, type Attachment, type NewRequest, type RequestView, type TimelineEntry } from "./requests";
import { checkTransition, isOpen, OPEN_STATUSES, type Status } from "./statuses";
import { listOfficers, type StaffRole } from "./officers";
import { routeRequest } from "./routing";
import { findMemberById, type MemberView } from "./members";
import type { Logger } from "../logger";
import {
  ACTION_STATUS,
  STAFF_LOCALE,
  answerKeyboard,
  escapeWithin,
  loadCardData,
  mediaMessage,
  memberLocale,
  memberStatusMessage,
  mention,
  renderCard,
  type OfficerAction,
} from "./notifications";
import { tFor } from "../i18n";
import { visibleLength } from "../lib/text";

/** An officer prompt (question, note, reason) waits this long for the officer's reply. */
export const PROMPT_TTL_MS = 30 * 60_000;
/** Longest question, note, reason or relayed text. */
export const NOTE_MAX = 1000;


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

/** Runs `fn` holding the request's lock. Anything that writes a request document should use it. */
export function withRequestLock<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
  return withLock(`request:${requestId}`, fn);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RequestLean = any;

async function load(requestId: string): Promise<RequestLean | null> {
  if (!Types.ObjectId.isValid(requestId)) return null;
  return Request.findById(requestId).lean();
}

/**
 * Appends entries and sets fields in one update (under the lock, so the timeline read is current),
 * then queues the entries' effects. `touchCard`: the card must be edited even without a new entry.
 */
async function commit(doc: RequestLean, entries: TimelineEntry[], set: Record<string, unknown>, now: Date, touchCard = false): Promise<RequestView> {
  await Request.updateOne(
    { _id: doc._id },
    { $set: { ...set, ...(entries.length ? { timeline: [...(doc.timeline ?? []), ...entries] } : {}), alertPending: true } },
  );
  const fresh = await Request.findById(doc._id).lean();
  await queueEffects(fresh, now, touchCard);
  return toRequestView(fresh);
}

function contentAttachments(content: RelayContent, field: string): Attachment[] {
  if (content.photo) return [{ kind: "photo", field, fileId: content.photo.fileId, fileUniqueId: content.photo.fileUniqueId }];
  if (content.voice) return [{ kind: "voice", field, fileId: content.voice.fileId, fileUniqueId: content.voice.fileUniqueId, duration: content.voice.duration }];
  return [];
}

function entryContent(e: TimelineEntry): { text?: string; photo?: string; voice?: string } {
  const a = e.attachments?.[0];
  return { text: e.note, ...(a?.kind === "photo" ? { photo: a.fileId } : {}), ...(a?.kind === "voice" ? { voice: a.fileId } : {}) };
}

/** The outbox items one timeline entry causes (without card edits: those are coalesced by the caller). */
async function effectsOf(r: RequestView, i: number, member: () => Promise<MemberView | null>, set: Record<string, unknown>): Promise<NewOutboxItem[]> {
  const e = r.timeline[i];
  const key = (what: string) => `fx:${r.id}:${i}:${what}`;
  const staff = tFor(STAFF_LOCALE);
  const memberReachable = r.memberTelegramId > 0;
  switch (e.kind) {
    case "created": {
      if (r.routedToTelegramId === null) {
        const officer = await routeRequest(r, await listOfficers());
        if (officer) set.routedToTelegramId = officer.telegramId;
      }
      const items: NewOutboxItem[] = [{ kind: "alert", chat: "group", method: "sendMessage", requestId: r.id, priority: PRIORITY.alert, dedupeKey: key("alert") }];
      const photos = r.attachments.filter((a) => a.kind === "photo");
      const voice = r.attachments.find((a) => a.kind === "voice");
      const media = { requestId: r.id, priority: PRIORITY.media, replyToCard: true, ref: { messageRef: "media" } } as const;
      if (photos.length > 0) {
        const header = staff(photos.length > 1 ? "officer.media.photo_of" : "officer.media.photo", { code: r.code, count: photos.length });
        // With what the member wrote under it, if anything.
        const { payload } = mediaMessage(null, header, { photo: photos[0].fileId, text: photos[0].caption });
        items.push({ kind: "alert_media", chat: "group", method: "sendPhoto", payload, dedupeKey: key("photo"), ...media });
      }
      if (voice) {
        items.push({ kind: "alert_media", chat: "group", method: "sendVoice", payload: { voice: voice.fileId, caption: staff("officer.media.voice", { code: r.code }) }, dedupeKey: key("voice"), ...media });
      }
      return items;
    }
    case "claim": {
      const items: NewOutboxItem[] = [{ kind: "officer_contact", chat: e.by, method: "sendMessage", requestId: r.id, priority: PRIORITY.direct, dedupeKey: key("contact") }];
      const photos = r.attachments.filter((a) => a.kind === "photo");
      if (photos.length > 1) {
        // Each photo with what the member wrote under it; the first also says whose photos they are.
        const album = photos.slice(0, 10).map((p, n) => {
          const header = n === 0 ? staff("officer.contact.photos", { code: r.code }) : "";
          const words = p.caption ? escapeWithin(p.caption, 1024 - visibleLength(header) - 2) : "";
          const caption = [header, words].filter(Boolean).join("\n\n");
          return { type: "photo", media: p.fileId, ...(caption ? { caption } : {}) };
        });
        items.push({ kind: "officer_media", chat: e.by, method: "sendMediaGroup", payload: { chat_id: e.by, media: album }, requestId: r.id, priority: PRIORITY.direct, dedupeKey: key("photos") });
      }
      return items;
    }
    case "status": {
      // A member's answer moves perlu_info back; the member hears of it in the answer's acknowledgement.
      if (e.role === "member" || e.role === "system" || !memberReachable || !e.to) return [];
      const payload = memberStatusMessage(r, e.to, e.note, memberLocale(await member()));
      return [{ kind: "member", chat: r.memberTelegramId, method: "sendMessage", payload: { chat_id: r.memberTelegramId, ...payload }, requestId: r.id, priority: PRIORITY.direct, ref: { messageRef: "relay" }, dedupeKey: key("member") }];
    }
    case "answer": {
      const next = r.timeline[i + 1];
      const returned = next?.kind === "status" && next.role === "member" ? next.to ?? null : null;
      const header = staff(returned ? "officer.relay.answer" : "officer.relay.message", { code: r.code });
      const relay = mediaMessage(null, header, entryContent(e));
      const items: NewOutboxItem[] = [
        { kind: "group_relay", chat: "group", method: relay.method, payload: relay.payload, requestId: r.id, priority: PRIORITY.relay, replyToCard: true, ref: { messageRef: "relay" }, dedupeKey: key("relay") },
      ];
      if (memberReachable) {
        const t = tFor(memberLocale(await member()));
        const text = returned ? t("officer.member.ack_status", { code: r.code, status: t(`labels.status.${returned}`) }) : t("officer.member.ack", { code: r.code });
        items.push({ kind: "member_ack", chat: r.memberTelegramId, method: "sendMessage", payload: { chat_id: r.memberTelegramId, text }, requestId: r.id, priority: PRIORITY.direct, ref: { messageRef: "relay" }, dedupeKey: key("ack") });
      }
      return items;
    }
    case "reply": {
      if (!memberReachable) return [];
      const t = tFor(memberLocale(await member()));
      const header = t("officer.member.officer_message", { code: r.code });
      const content = entryContent(e);
      const msg = mediaMessage(r.memberTelegramId, header, content, { reply_markup: answerKeyboard(t, r.id) }, t("officer.member.reply_hint"));
      const react = e.sourceChatId && e.sourceMessageId ? { react: { chatId: e.sourceChatId, messageId: e.sourceMessageId } } : {};
      return [{ kind: "member_relay", chat: r.memberTelegramId, method: msg.method, payload: msg.payload, requestId: r.id, priority: PRIORITY.direct, ref: { messageRef: "relay", ...react }, dedupeKey: key("relay") }];
    }
    default:
      return [];
  }
}

/**
 * Queues the effects of the timeline entries not queued yet (from `effectsQueued` on), and one
 * card edit when the card exists and something changed. Runs under the request's lock.
 */
async function queueEffects(doc: RequestLean, now: Date, touchCard = false): Promise<void> {
  await queueEffectsOf(toRequestView(doc), doc.effectsQueued ?? 0, now, touchCard);
}

/** queueEffects for a request in hand: `from` is the first timeline entry whose effects are not queued. */
async function queueEffectsOf(r: RequestView, from: number, now: Date, touchCard = false): Promise<void> {
  const set: Record<string, unknown> = { alertPending: false, effectsQueued: r.timeline.length };
  let memberCache: MemberView | null | undefined;
  const member = async () => (memberCache === undefined ? (memberCache = await findMemberById(r.memberId)) : memberCache);
  const items: NewOutboxItem[] = [];
  for (let i = from; i < r.timeline.length; i++) items.push(...(await effectsOf(r, i, member, set)));
  const changed = touchCard || r.timeline.slice(from).some((e) => e.kind !== "created");
  if (changed && r.card?.messageId && r.card.chatId && !(await hasPending({ requestId: r.id, kind: "card" }))) {
    // Rendered when sent, so one queued edit shows every change made before it goes out.
    items.push({ kind: "card", chat: r.card.chatId, group: true, method: "editMessageText", requestId: r.id, priority: PRIORITY.card, dedupeKey: `fx:${r.id}:${r.timeline.length}:card:${now.getTime()}` });
  }
  await enqueue(items, now);
  await Request.updateOne({ _id: new Types.ObjectId(r.id) }, { $set: set });
}

/** Queues what a request's new timeline entries must cause, if that has not happened yet. */
export async function syncRequestEffects(requestId: string, now: Date): Promise<void> {
  await withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return;
    if (!doc.alertPending && (doc.effectsQueued ?? 0) >= (doc.timeline?.length ?? 0)) return;
    await queueEffects(doc, now);
  });
}

/** The dispatcher's scan: requests saved (or changed) whose effects were not queued (e.g. a crash right after the save). */
export async function syncPendingEffects(now: Date, limit = 200): Promise<number> {
  const docs = await Request.find({ alertPending: true }, { _id: 1 }).sort({ _id: 1 }).limit(limit).lean();
  for (const d of docs) await syncRequestEffects(String(d._id), now);
  return docs.length;
}

/**
 * A new request: saved, then its alert queued at once, from the request as just saved (under the
 * lock, without reading it again: nothing else can have changed it meanwhile except the dispatcher's
 * scan queueing the same effects, and those the dedupe keys refuse). The counter's write and the
 * queueing go to the database side by side. If the queueing fails, the request is saved all the
 * same (`alertPending`): the failure is logged and the scan queues the alert later, so the member's
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
export async function claimRequest(requestId: string, actor: Actor, now: Date): Promise<Result<{ again: boolean }>> {
  return withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return refusal("not_found");
    const r = toRequestView(doc);
    if (!isOpen(r.status)) return refusal("closed", r);
    if (r.assigneeTelegramId === actor.telegramId) {
      // Pressed again (e.g. after opening the private chat): send the contact once more.
      await enqueue([{ kind: "officer_contact", chat: actor.telegramId, method: "sendMessage", requestId: r.id, priority: PRIORITY.direct }], now);
      return { ok: true, request: r, again: true };
    }
    if (r.assigneeTelegramId !== null && actor.role !== "admin") return refusal("claimed_by_other", r);
    const request = await commit(doc, [claimEntry(actor, now)], { assigneeTelegramId: actor.telegramId }, now);
    return { ok: true, request, again: false };
  });
}

/** Checks a status change without doing it (before asking the officer for a note). */
function checkChange(r: RequestView, actor: Actor, to: Status, note: string | undefined): Refusal | null {
  const check = checkTransition(r.status, to, { note, returnTo: r.infoReturnTo });
  if (!check.ok) return refusal(check.reason, r, to);
  if (r.assigneeTelegramId !== null && r.assigneeTelegramId !== actor.telegramId && actor.role !== "admin") return refusal("claimed_by_other", r, to);
  return null;
}

async function changeStatusLocked(doc: RequestLean, actor: Actor, to: Status, note: string | undefined, now: Date): Promise<Result> {
  const r = toRequestView(doc);
  const refused = checkChange(r, actor, to, note);
  if (refused) return refused;
  const entries: TimelineEntry[] = [];
  const set: Record<string, unknown> = { status: to };
  // Whoever moves an unclaimed request owns it.
  if (r.assigneeTelegramId === null) {
    entries.push(claimEntry(actor, now));
    set.assigneeTelegramId = actor.telegramId;
  }
  entries.push({ at: now, by: actor.telegramId, ...byName(actor), role: actor.role, kind: "status", from: r.status, to, ...(note ? { note } : {}) });
  if (to === "perlu_info") set.infoReturnTo = r.status;
  else if (r.status === "perlu_info") set.infoReturnTo = null;
  if (!isOpen(to)) set.closedAt = now;
  return { ok: true, request: await commit(doc, entries, set, now) };
}

/** A status change by an officer or admin (notes required where statuses.ts says so). */
export async function changeStatus(requestId: string, actor: Actor, to: Status, note: string | undefined, now: Date): Promise<Result> {
  return withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return refusal("not_found");
    return changeStatusLocked(doc, actor, to, note?.trim() || undefined, now);
  });
}

/**
 * Minta info / Selesai / Tolak: checks the change is possible, then asks the officer (in the group,
 * as a reply to the card) for the question, the note or the reason.
 */
export async function openPrompt(requestId: string, actor: Actor, action: Exclude<OfficerAction, "claim" | "review" | "follow">, now: Date): Promise<Result<{ promptId: string }>> {
  const doc = await load(requestId);
  if (!doc) return refusal("not_found");
  const r = toRequestView(doc);
  const refused = checkChange(r, actor, ACTION_STATUS[action], "-");
  if (refused) return refused;
  const prompt = await OfficerPrompt.create({ requestId: doc._id, officerTelegramId: actor.telegramId, action, expiresAt: new Date(now.getTime() + PROMPT_TTL_MS) });
  const t = tFor(STAFF_LOCALE);
  const text = t(`officer.prompt.${action}`, { officer: mention(actor.telegramId, actor.name), code: r.code });
  await enqueue(
    [
      {
        kind: "prompt",
        chat: "group",
        method: "sendMessage",
        payload: { text, reply_markup: { force_reply: true, selective: true, input_field_placeholder: t(`officer.prompt.placeholder_${action}`, { code: r.code }).slice(0, 64) } },
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
  | { ok: true; request: RequestView }
  | { ok: false; reason: "expired" | "not_yours" | "cancelled" | "empty" | "too_long"; code: string; action: OfficerAction; count?: number }
  | Refusal;

/** Whether an officer's reply to a prompt cancels it ("/batal", "/cancel", also addressed to the bot). */
export function isPromptCancel(text: string): boolean {
  return /^\/(batal|cancel)(@\w+)?$/i.test(text.trim());
}

/** The officer's reply to a prompt: the question / note / reason, or "/batal". */
export async function answerPrompt(promptId: string, actor: Actor, text: string | undefined, now: Date): Promise<PromptOutcome> {
  const prompt = Types.ObjectId.isValid(promptId) ? await OfficerPrompt.findById(promptId).lean() : null;
  if (!prompt) return refusal("not_found");
  const requestId = String(prompt.requestId);
  return withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return refusal("not_found");
    const fresh = await OfficerPrompt.findById(promptId).lean();
    const base = { code: doc.code as string, action: prompt.action as OfficerAction };
    if (!fresh || fresh.officerTelegramId !== actor.telegramId) return { ok: false, reason: "not_yours", ...base };
    if (fresh.usedAt || fresh.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired", ...base };
    const value = (text ?? "").trim().replace(/[ \t]+/g, " ");
    if (isPromptCancel(value)) {
      await OfficerPrompt.updateOne({ _id: fresh._id }, { $set: { usedAt: now } });
      return { ok: false, reason: "cancelled", ...base };
    }
    if (!value || value.startsWith("/")) return { ok: false, reason: "empty", ...base };
    if (value.length > NOTE_MAX) return { ok: false, reason: "too_long", count: value.length, ...base };
    const result = await changeStatusLocked(doc, actor, ACTION_STATUS[prompt.action as Exclude<OfficerAction, "claim">], value, now);
    // Spent either way: done, or the request moved meanwhile (the officer is told).
    await OfficerPrompt.updateOne({ _id: fresh._id }, { $set: { usedAt: now } });
    return result;
  });
}

function isDuplicate(r: RequestView, source: Source): boolean {
  return r.timeline.some((e) => e.sourceChatId === source.chatId && e.sourceMessageId === source.messageId);
}

/** An officer's reply to a card (text, photo or voice) goes to the member, tied to the request. */
export async function relayOfficerMessage(requestId: string, actor: Actor, content: RelayContent, source: Source, now: Date): Promise<Result> {
  return withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return refusal("not_found");
    const r = toRequestView(doc);
    if (!isOpen(r.status)) return refusal("closed", r);
    if (isDuplicate(r, source)) return { ok: true, request: r };
    const entry: TimelineEntry = {
      at: now,
      by: actor.telegramId,
      ...byName(actor),
      role: actor.role,
      kind: "reply",
      ...(content.text ? { note: content.text.slice(0, NOTE_MAX) } : {}),
      ...(content.photo || content.voice ? { attachments: contentAttachments(content, "reply") } : {}),
      sourceChatId: source.chatId,
      sourceMessageId: source.messageId,
    };
    return { ok: true, request: await commit(doc, [entry], {}, now) };
  });
}

/**
 * The member's answer (text, photo or voice) to a request of theirs: it goes to the group as a reply
 * to the card, and a request waiting for information returns to where it was.
 */
export async function recordMemberAnswer(requestId: string, memberTelegramId: number, content: RelayContent, source: Source, now: Date): Promise<Result> {
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
    const set: Record<string, unknown> = { memberUnreachableAt: null };
    if (r.status === "perlu_info") {
      const back: Status = r.infoReturnTo ?? "ditelaah";
      if (checkTransition(r.status, back, { returnTo: r.infoReturnTo }).ok) {
        entries.push({ at: now, by: memberTelegramId, role: "member", kind: "status", from: r.status, to: back });
        set.status = back;
        set.infoReturnTo = null;
      }
    }
    return { ok: true, request: await commit(doc, entries, set, now, Boolean(r.memberUnreachableAt)) };
  });
}

/** A request of this member, for the Jawab button and replies (null when not theirs). */
export async function memberRequest(requestId: string, memberTelegramId: number): Promise<RequestView | null> {
  const doc = await load(requestId);
  return doc && doc.memberTelegramId === memberTelegramId ? toRequestView(doc) : null;
}

/** Telegram said the member blocked the bot (403): shown on the card and in the timeline, once. */
export async function markMemberUnreachable(requestId: string, note: string, now: Date): Promise<void> {
  await withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc || doc.memberUnreachableAt) return;
    await commit(doc, [{ at: now, by: 0, role: "system", kind: "delivery", note: note.slice(0, 300) }], { memberUnreachableAt: now }, now);
  });
}

/** A message reached the member again: the warning leaves the card. */
export async function markMemberReachable(requestId: string, now: Date): Promise<void> {
  await withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc || !doc.memberUnreachableAt) return;
    await commit(doc, [], { memberUnreachableAt: null }, now, true);
  });
}

/** A delivery that failed for good (not a 403): recorded in the timeline so officers see it. */
export async function recordDeliveryFailure(requestId: string, note: string, now: Date): Promise<void> {
  await withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return;
    await commit(doc, [{ at: now, by: 0, role: "system", kind: "delivery", note: note.slice(0, 300) }], {}, now);
  });
}

/**
 * A card went out (the alert, or an edit): remember where and what it shows, and queue another edit
 * if the request changed while it was on its way. Called after the item is marked sent.
 */
export async function recordCard(requestId: string, card: { chatId: number; messageId: number; hash: string }, now: Date): Promise<void> {
  await withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return;
    await Request.updateOne({ _id: doc._id }, { $set: { card } });
    await queueCardEditIfChanged(requestId, card, now);
  });
}

/**
 * The dispatcher's repair: requests created since `since` whose alert went out but whose card's place
 * was never written (the process stopped, or the write failed, right after the send). The card gets
 * its reply link and its place back (and an edit to bring it up to date), so its buttons and replies
 * work again. Only cards without a place are found: the send writes the reply link before the place.
 */
export async function repairMissingCards(since: Date, now: Date): Promise<number> {
  const docs = await Request.find({ createdAt: { $gte: since }, "card.messageId": null }, { _id: 1 }).lean();
  let repaired = 0;
  for (const sent of await sentAlerts(docs.map((d) => String(d._id)))) {
    const done = await withRequestLock(sent.requestId, async () => {
      const doc = await load(sent.requestId);
      if (!doc || doc.card?.messageId) return false;
      // The reply link before the place (as after a send): a failure between them is found again next scan.
      await recordMessageRef({ chatId: sent.chatId, messageId: sent.messageId, requestId: sent.requestId, kind: "card" });
      // No hash: what the card shows is unknown, so it is edited to the current rendering.
      await Request.updateOne({ _id: doc._id }, { $set: { card: { chatId: sent.chatId, messageId: sent.messageId, hash: "" } } });
      await queueCardEditIfChanged(sent.requestId, { chatId: sent.chatId, hash: "" }, now);
      return true;
    });
    if (done) repaired++;
  }
  return repaired;
}

/** Queues an edit of a card whose current rendering differs from what the group shows. */
async function queueCardEditIfChanged(requestId: string, card: { chatId: number; hash: string }, now: Date): Promise<void> {
  const data = await loadCardData(requestId);
  if (data && renderCard(data).hash !== card.hash && !(await hasPending({ requestId, kind: "card" }))) {
    await enqueue([{ kind: "card", chat: card.chatId, group: true, method: "editMessageText", requestId, priority: PRIORITY.card, dedupeKey: `card:${requestId}:${now.getTime()}:${card.hash}` }], now);
  }
}

/**
 * Something shown on a member's cards changed outside the request (e.g. the chairperson confirmed
 * them): the cards of their open requests are edited to match.
 */
export async function refreshMemberCards(memberTelegramId: number, now: Date): Promise<void> {
  const open = await Request.find({ memberTelegramId, status: { $in: OPEN_STATUSES }, "card.messageId": { $ne: null } }, { _id: 1 }).lean();
  for (const r of open) {
    const requestId = String(r._id);
    await withRequestLock(requestId, async () => {
      const doc = await load(requestId);
      if (doc?.card?.chatId && doc.card.hash) await queueCardEditIfChanged(requestId, { chatId: doc.card.chatId, hash: doc.card.hash }, now);
    });
  }
}

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

/**
 * For /hapusdata: forgets a member's chat in the officer workflow (what is queued for it, and
 * which bot messages there belonged to which request). Their requests are anonymised elsewhere.
 */
export async function forgetMemberChat(telegramId: number): Promise<void> {
  await Outbox.deleteMany({ target: "chat", chatId: telegramId });
  await MessageRef.deleteMany({ chatId: telegramId });
}

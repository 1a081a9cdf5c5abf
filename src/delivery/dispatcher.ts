/**
 * Sends what the outbox holds. Telegram trouble delays messages, never drops them:
 * - 429: the item (and everything else) waits `retry_after`;
 * - 5xx and network errors: the item is retried with a growing delay (5 s doubling, at most 5 min);
 * - 403 from a member (bot blocked): recorded on the request, shown on its card, not retried;
 *   403 from an officer's private chat: the group is told to open the chat with the bot;
 * - the officers' group refusing (403, chat not found, no rights to send messages at all): retried with
 *   the same delay;
 * - the group refusing a photo or voice note (it takes text but not that media): recorded in the
 *   request's timeline (shown on its card), and the caption goes once as a plain text message instead;
 *   any other 400 for the group (e.g. an HTML parse error): sent once more as plain text; when that
 *   fails too, recorded in the request's timeline;
 * - each chat's messages keep their order (a later one waits while an earlier one is retried).
 * The officers' group gets at most `groupLimit.max` messages per `groupLimit.windowMs`: prompts and
 * card edits go first, new-request cards last; when new requests queue up faster than the budget
 * allows, one digest message lists them at once and their cards follow as the budget frees up
 * (each card carries the buttons and is the message edited in place and replied to).
 * Several dispatchers may run at once: an item is sent by the one holding its lease.
 */
import { GrammyError, type Api } from "grammy";
import type { Message } from "grammy/types";
import type { Logger } from "../logger";
import type { Config } from "../config";
import { tryLock, pruneLocks } from "../domain/locks";
import {
  groupSendsSince,
  leaseItem,
  markFailed,
  markRetry,
  markSent,
  markSettled,
  onOutboxQueued,
  pendingItems,
  pruneSent,
  PRIORITY,
  type OutboxItem,
} from "../domain/outbox";
import { htmlToPlain } from "../lib/text";
import { getOfficerGroupId, setOfficerGroupId } from "../domain/settings";
import { recordMessageRef, type MessageRefKind } from "../domain/message-refs";
import { loadCardData, mention } from "../telegram/render";
import { STAFF_LOCALE } from "../domain/officer-actions";
import { queueGroupNotice } from "../telegram/notices";
import { prepareItem, type Prepared } from "./prepare-item";
import { queueDigests } from "./digest";
import {
  markMemberReachable,
  markMemberUnreachable,
  recordCard,
  recordDeliveryFailure,
  repairMissingCards,
  syncPendingEffects,
} from "../domain/request-effects";
import { findOfficer } from "../domain/officers";
import { findRequestById } from "../domain/requests";
import { tFor } from "../i18n";

export interface GroupLimit {
  max: number;
  windowMs: number;
  /** Slots new-request cards leave free for prompts, edits and relays. */
  reserve: number;
}

export interface DispatcherDeps {
  logger: Logger;
  config: Pick<Config, "officerGroupId">;
  /** Injectable for tests (no real waiting). */
  clock?: () => Date;
  groupLimit?: GroupLimit;
  /** How often a running dispatcher looks at the outbox when nothing woke it (ms). */
  pollMs?: number;
  /** A Bot API call taking longer is aborted and retried (ms). */
  sendTimeoutMs?: number;
}

export interface RunReport {
  sent: number;
  failed: number;
  retried: number;
  /** Items settled in any way (sent, failed, retried later, or found to need no call). */
  progressed: number;
  /** Items still pending after the run. */
  pending: number;
  /** When something may next be sendable (null: nothing pending). */
  nextWakeAt: Date | null;
}

export interface Dispatcher {
  start(): void;
  stop(): Promise<void>;
  /** One pass over the outbox (tests call this directly). */
  runOnce(): Promise<RunReport>;
  /** Runs until a pass sends nothing more that is due now. */
  drain(maxRuns?: number): Promise<RunReport>;
  /** Asks a started dispatcher to run soon. */
  nudge(): void;
}

export const DEFAULT_GROUP_LIMIT: GroupLimit = { max: 20, windowMs: 60_000, reserve: 2 };
const MEMBER_KINDS = new Set(["member", "member_relay", "member_ack"]);
const OFFICER_PRIVATE_KINDS = new Set(["officer_contact", "officer_media"]);
/** Sent items are kept this long (the group budget, inspection, and finding a lost card's place). */
const SENT_KEPT_MS = 7 * 24 * 3600_000;
/** Starts the timeline note of a message the officers' group never got. */
export const GROUP_NOTE = "grup";

/** The Bot API's words when the bot may not write in a group at all (restricted, not an admin, gone). */
const NO_RIGHTS = /not enough rights to send text messages|have no rights to send a message|chat_write_forbidden|chat_send_plain_forbidden|chat not found/i;
/** The group takes text but not this media ("not enough rights to send photos / voice notes to the chat"). */
const MEDIA_NO_RIGHTS = /not enough rights to send|chat_send_\w+_forbidden/i;
const MEDIA_METHODS = new Set(["sendPhoto", "sendVoice", "sendVideo", "sendDocument", "sendAudio", "sendAnimation"]);

/** The payload without formatting: the text or caption plain, and empty entities (so no parse mode is added). */
function plainPayload(payload: Record<string, unknown>): Record<string, unknown> {
  const { parse_mode: _p, entities: _e, caption_entities: _c, ...rest } = payload;
  if (typeof rest.text === "string") return { ...rest, text: htmlToPlain(rest.text), entities: [] };
  if (typeof rest.caption === "string") return { ...rest, caption: htmlToPlain(rest.caption), caption_entities: [] };
  return rest;
}

/** A media message's caption as a plain text message (for a group that refuses that media). */
function captionAsText(payload: Record<string, unknown>): Record<string, unknown> {
  const { chat_id, reply_parameters, reply_markup, message_thread_id } = payload;
  const text = typeof payload.caption === "string" ? htmlToPlain(payload.caption) : "";
  return { chat_id, text, entities: [], ...(reply_parameters ? { reply_parameters } : {}), ...(reply_markup ? { reply_markup } : {}), ...(message_thread_id ? { message_thread_id } : {}) };
}

/** `settled`: done without a call (an edit that would change nothing); `skipped`: another dispatcher has it. */
type Outcome = "sent" | "failed" | "retry" | "paused" | "deferred" | "skipped" | "settled";

export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** attempts, 300_000);
}

function messageIdsOf(result: unknown): number[] {
  if (Array.isArray(result)) return result.map((m) => (m as Message).message_id).filter((x) => typeof x === "number");
  const id = (result as Message | undefined)?.message_id;
  return typeof id === "number" ? [id] : [];
}

export function createDispatcher(api: Api, deps: DispatcherDeps): Dispatcher {
  const clock = deps.clock ?? (() => new Date());
  const limit = deps.groupLimit ?? DEFAULT_GROUP_LIMIT;
  const pollMs = deps.pollMs ?? 5_000;
  const sendTimeoutMs = deps.sendTimeoutMs ?? 30_000;
  const log = deps.logger.child({ component: "dispatcher" });
  let pausedUntil = 0;
  let lastMaintenance = 0;

  async function call(method: string, payload: Record<string, unknown>): Promise<unknown> {
    const signal = AbortSignal.timeout(sendTimeoutMs);
    // Any method by name (the outbox stores the name): the raw API is a record of such functions.
    const raw = api.raw as unknown as Record<string, (payload: Record<string, unknown>, signal: AbortSignal) => Promise<unknown>>;
    return raw[method](payload, signal);
  }

  /** Where the card of the item's request is, or "wait" while the alert has not gone out yet. */
  async function cardOf(item: OutboxItem, items: OutboxItem[]): Promise<{ messageId: number } | null | "wait"> {
    if (!item.requestId) return null;
    const card = (await findRequestById(item.requestId))?.card;
    if (card?.messageId) return { messageId: card.messageId };
    const alertPending = items.some((i) => i.kind === "alert" && i.requestId === item.requestId && i.status === "pending");
    return alertPending ? "wait" : null;
  }

  async function afterSent(item: OutboxItem, chatId: number, ids: number[], prepared: Prepared, now: Date) {
    if ((item.kind === "alert" || item.kind === "card") && item.requestId && prepared.hash) {
      const messageId = item.kind === "alert" ? ids[0] : Number((prepared.data?.request.card as { messageId?: number } | undefined)?.messageId);
      const cardChat = item.kind === "alert" ? chatId : Number((prepared.data?.request.card as { chatId?: number } | undefined)?.chatId);
      // The reply link first, the card's place last: the repair scan looks only for cards without a place,
      // so a failure in between leaves no place and the scan writes both again.
      if (item.kind === "alert" && messageId) await recordMessageRef({ chatId, messageId, requestId: item.requestId, kind: "card" });
      if (messageId) await recordCard(item.requestId, { chatId: cardChat, messageId, hash: prepared.hash }, now);
    }
    const refKind = item.ref.messageRef as MessageRefKind | undefined;
    if (refKind && item.requestId) {
      for (const messageId of ids) {
        await recordMessageRef({ chatId, messageId, requestId: item.requestId, kind: refKind, promptId: (item.ref.promptId as string | undefined) ?? null });
      }
    }
    if (MEMBER_KINDS.has(item.kind) && item.requestId) await markMemberReachable(item.requestId, now);
    const react = item.ref.react as { chatId: number; messageId: number } | undefined;
    if (react) {
      // "Delivered" on the officer's message: a reaction, not a message, so it costs the group nothing.
      await call("setMessageReaction", { chat_id: react.chatId, message_id: react.messageId, reaction: [{ type: "emoji", emoji: "👌" }] }).catch(() => undefined);
    }
  }

  /** afterSent for an item already marked done: a failure is logged and never ends the run. */
  async function afterSentLogged(item: OutboxItem, chatId: number, ids: number[], prepared: Prepared, now: Date) {
    try {
      await afterSent(item, chatId, ids, prepared, now);
    } catch (err) {
      // Sent is sent (never again). Only a new card's place (and its reply link) is repaired, by the
      // scan (repairMissingCards); other bookkeeping lost here (a media or relay reply link, a card
      // edit's hash) stays lost: the log says so.
      log.error({ item: item.id, kind: item.kind, err: err instanceof Error ? err.message : String(err) }, "bookkeeping after a send failed");
    }
  }

  async function onForbidden(item: OutboxItem, description: string, now: Date) {
    if (MEMBER_KINDS.has(item.kind) && item.requestId) {
      await markMemberUnreachable(item.requestId, `403: ${description}`, now);
    } else if (OFFICER_PRIVATE_KINDS.has(item.kind) && item.chatId) {
      const officer = await findOfficer(item.chatId);
      const data = item.requestId ? await loadCardData(item.requestId) : null;
      const t = tFor(STAFF_LOCALE);
      const text = t("officer.notice.contact_failed", { officer: mention(item.chatId, officer?.name ?? String(item.chatId)), code: data?.request.code ?? "" });
      await queueGroupNotice(text, { requestId: item.requestId, dedupeKey: `contact-failed:${item.id}` }, now);
    }
  }

  /** Sends one item holding its lease. */
  async function processItem(snapshot: OutboxItem, chatId: number, items: OutboxItem[]): Promise<Outcome> {
    const lease = await leaseItem(snapshot.id);
    if (!lease) return "skipped";
    const { item, release } = lease;
    const now = clock();
    try {
      if (item.nextAttemptAt.getTime() > now.getTime()) return "deferred";
      const prepared = await prepareItem(item, chatId);
      if (prepared === "gone") {
        await markFailed(item.id, "request not found");
        return "failed";
      }
      if (prepared === "unchanged") {
        // Nothing to show that the card does not show already: no call, no budget spent.
        await markSettled(item.id);
        return "settled";
      }
      if (item.replyToCard) {
        const card = await cardOf(item, items);
        if (card === "wait") return "deferred";
        if (card) prepared.payload.reply_parameters = { message_id: card.messageId, allow_sending_without_reply: true };
      }
      let method = prepared.method;
      if (item.ref.asText) {
        method = "sendMessage";
        prepared.payload = captionAsText(prepared.payload);
      } else if (item.ref.plain) prepared.payload = plainPayload(prepared.payload);
      let result: unknown;
      try {
        result = await call(method, prepared.payload);
      } catch (err) {
        return await onError(item, err, prepared, chatId, now);
      }
      const sentAt = clock();
      const ids = messageIdsOf(result);
      await markSent(item.id, sentAt, ids, chatId);
      await afterSentLogged(item, chatId, ids, prepared, sentAt);
      return "sent";
    } finally {
      await release();
    }
  }

  async function onError(item: OutboxItem, err: unknown, prepared: Prepared, chatId: number, now: Date): Promise<Outcome> {
    const where = { item: item.id, kind: item.kind, method: prepared.method, attempts: item.attempts + 1 };
    if (err instanceof GrammyError) {
      const desc = err.description;
      const code = err.error_code;
      if (code === 429) {
        const waitMs = Math.max(1, err.parameters?.retry_after ?? 5) * 1000;
        pausedUntil = Math.max(pausedUntil, now.getTime() + waitMs);
        await markRetry(item.id, new Date(now.getTime() + waitMs), desc, false);
        log.warn({ ...where, retry_after: waitMs / 1000 }, "Telegram asks to wait (429)");
        return "paused";
      }
      if (code === 400 && /message is not modified/i.test(desc)) {
        // Nothing changed in the group: settled, not counted as a send.
        await markSettled(item.id);
        await afterSentLogged(item, chatId, [], prepared, now);
        return "settled";
      }
      const migrateTo = err.parameters?.migrate_to_chat_id;
      if (code === 400 && migrateTo && item.target === "group" && deps.config.officerGroupId === undefined) {
        await setOfficerGroupId(migrateTo, 0);
        await markRetry(item.id, now, desc, false);
        log.info({ ...where, migrate_to_chat_id: migrateTo }, "the officers' group became a supergroup; following it");
        return "retry";
      }
      const groupUnreachable = item.group && (code === 403 || NO_RIGHTS.test(desc));
      if (code >= 500 || groupUnreachable) {
        await markRetry(item.id, new Date(now.getTime() + backoffMs(item.attempts)), `${code}: ${desc}`, true);
        (groupUnreachable ? log.error.bind(log) : log.warn.bind(log))({ ...where, error_code: code, description: desc }, "delivery failed; will retry");
        return "retry";
      }
      if (item.group && code === 400 && !item.ref.plain) {
        if (MEDIA_METHODS.has(prepared.method) && MEDIA_NO_RIGHTS.test(desc)) {
          // The group takes no such media: that is final (the card says so); its caption goes as text.
          if (item.requestId) await recordDeliveryFailure(item.requestId, `${GROUP_NOTE} (${item.kind}) ${code}: ${desc}`, now);
          await markRetry(item.id, now, `${code}: ${desc}`, true, { ...item.ref, plain: true, asText: true });
          log.warn({ ...where, error_code: code, description: desc }, "the group refused the media; sending its caption as plain text");
          return "retry";
        }
        // Most likely the HTML (a cut entity, a stray tag): once more without formatting, right away.
        await markRetry(item.id, now, `${code}: ${desc}`, true, { ...item.ref, plain: true });
        log.warn({ ...where, error_code: code, description: desc }, "the group refused the message; sending it as plain text");
        return "retry";
      }
      await markFailed(item.id, `${code}: ${desc}`);
      log.warn({ ...where, error_code: code, description: desc }, "delivery refused by Telegram; not retried");
      if (code === 403) await onForbidden(item, desc, now);
      else if (MEMBER_KINDS.has(item.kind) && item.requestId) await recordDeliveryFailure(item.requestId, `${code}: ${desc}`, now);
      // A card edit that fails is not recorded: the record would edit the card again.
      else if (item.group && item.requestId && item.kind !== "card") await recordDeliveryFailure(item.requestId, `${GROUP_NOTE} (${item.kind}) ${code}: ${desc}`, now);
      return "failed";
    }
    const message = err instanceof Error ? err.message : String(err);
    await markRetry(item.id, new Date(now.getTime() + backoffMs(item.attempts)), message, true);
    log.warn({ ...where, error: message.slice(0, 200) }, "delivery failed (network); will retry");
    return "retry";
  }

  interface Progress {
    sent: number;
    failed: number;
    retried: number;
    progressed: number;
    wake: number[];
  }

  function count(p: Progress, o: Outcome) {
    if (o === "sent") p.sent++;
    else if (o === "failed") p.failed++;
    else if (o === "retry") p.retried++;
    if (o === "sent" || o === "failed" || o === "retry" || o === "settled") p.progressed++;
  }

  /** Private chats: in order per chat, no shared budget. */
  async function privatePhase(items: OutboxItem[], all: OutboxItem[], p: Progress) {
    const blocked = new Set<number>();
    for (const it of items) {
      const chat = it.chatId;
      if (chat === null || blocked.has(chat)) continue;
      if (pausedUntil > clock().getTime()) return;
      if (it.nextAttemptAt.getTime() > clock().getTime()) {
        blocked.add(chat);
        p.wake.push(it.nextAttemptAt.getTime());
        continue;
      }
      const o = await processItem(it, chat, all);
      count(p, o);
      if (o !== "sent" && o !== "failed" && o !== "skipped" && o !== "settled") blocked.add(chat);
      if (o === "paused") return;
      if (o === "deferred") p.wake.push(clock().getTime() + 1_000);
    }
  }

  /** The officers' group: priorities, the budget, digests. One dispatcher at a time. */
  async function groupPhase(all: OutboxItem[], p: Progress) {
    let queue = all.filter((i) => i.group);
    if (queue.length === 0) return;
    const groupId = await getOfficerGroupId(deps.config.officerGroupId);
    const chatOf = (i: OutboxItem) => (i.target === "group" ? groupId : (i.chatId ?? undefined));
    const release = await tryLock("outbox:group", 60_000);
    if (!release) {
      p.wake.push(clock().getTime() + 1_000);
      return;
    }
    try {
      const startedAt = Date.now();
      let digestChecked = false;
      for (;;) {
        if (Date.now() - startedAt > 45_000 || pausedUntil > clock().getTime()) return;
        const now = clock().getTime();
        const due = queue
          .filter((i) => chatOf(i) !== undefined)
          .filter((i) => {
            if (i.nextAttemptAt.getTime() <= now) return true;
            p.wake.push(i.nextAttemptAt.getTime());
            return false;
          })
          .sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1));
        if (due.length === 0) return;
        const sends = await groupSendsSince(new Date(now - limit.windowMs));
        const budget = limit.max - sends.length;
        if (budget <= 0) {
          p.wake.push(sends[0].getTime() + limit.windowMs + 1);
          return;
        }
        const alerts = due.filter((i) => i.kind === "alert");
        if (!digestChecked && alerts.length > Math.max(0, budget - limit.reserve)) {
          digestChecked = true;
          if (await queueDigests(alerts, new Date(now))) {
            // Re-read so the new digest takes its place in the queue.
            queue = (await pendingItems(1000)).filter((i) => i.group);
            continue;
          }
        }
        let progressed = false;
        let heldBack = false;
        for (const it of due) {
          const lowPriority = it.priority >= PRIORITY.alert;
          if (lowPriority && budget <= limit.reserve) {
            heldBack = true;
            continue;
          }
          const o = await processItem(it, chatOf(it)!, all);
          count(p, o);
          if (o === "deferred") {
            p.wake.push(clock().getTime() + 1_000);
            continue;
          }
          queue = queue.filter((q) => q.id !== it.id);
          if (o === "paused") return;
          progressed = true;
          break;
        }
        if (!progressed) {
          // New cards wait until enough of the window's sends have aged out to leave the reserve free.
          if (heldBack) {
            const mustExpire = sends.length - (limit.max - limit.reserve - 1);
            p.wake.push(sends[Math.max(0, mustExpire - 1)].getTime() + limit.windowMs + 1);
          }
          return;
        }
      }
    } finally {
      await release();
    }
  }

  /** Cards whose place was lost after their alert went out (see repairMissingCards): looked for once a minute. */
  let lastRepair = 0;
  async function repair(now: Date) {
    if (now.getTime() - lastRepair < 60_000) return;
    lastRepair = now.getTime();
    const repaired = await repairMissingCards(new Date(now.getTime() - SENT_KEPT_MS), now);
    if (repaired > 0) log.warn({ repaired }, "cards whose place was not recorded after sending: repaired");
  }

  async function maintenance(now: Date) {
    if (now.getTime() - lastMaintenance < 10 * 60_000) return;
    lastMaintenance = now.getTime();
    await pruneLocks(new Date(Date.now() - 10 * 60_000));
    await pruneSent(new Date(now.getTime() - SENT_KEPT_MS));
  }

  async function doRun(): Promise<RunReport> {
    const now = clock();
    await syncPendingEffects(now);
    await repair(now);
    await maintenance(now);
    const p: Progress = { sent: 0, failed: 0, retried: 0, progressed: 0, wake: [] };
    if (pausedUntil <= now.getTime()) {
      const items = await pendingItems(1000);
      await privatePhase(items.filter((i) => !i.group), items, p);
      await groupPhase(items, p);
    }
    const left = await pendingItems(1000);
    if (pausedUntil > clock().getTime()) p.wake.push(pausedUntil);
    // A private chat wakes when its first message is due (the others wait behind it); the group
    // phase has already said when the group's next message can go (its budget, its retries).
    const firstOfChat = new Set<number>();
    for (const i of left) {
      if (i.group || i.chatId === null || firstOfChat.has(i.chatId)) continue;
      firstOfChat.add(i.chatId);
      p.wake.push(Math.max(i.nextAttemptAt.getTime(), pausedUntil));
    }
    const nextWake = p.wake.length ? Math.min(...p.wake) : null;
    return { sent: p.sent, failed: p.failed, retried: p.retried, progressed: p.progressed, pending: left.length, nextWakeAt: nextWake === null ? null : new Date(nextWake) };
  }

  let chain: Promise<unknown> = Promise.resolve();
  function runOnce(): Promise<RunReport> {
    const run = chain.then(doRun);
    chain = run.catch(() => undefined);
    return run;
  }

  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let wakeUp: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;

  function nudge() {
    wakeUp?.();
  }

  async function runLoop() {
    while (!stopped) {
      let next = pollMs;
      try {
        const report = await runOnce();
        // Something due that did not move (e.g. another dispatcher holds it): look again in a second, not at once.
        const least = report.progressed > 0 ? 0 : 1_000;
        if (report.nextWakeAt) next = Math.min(pollMs, Math.max(least, report.nextWakeAt.getTime() - clock().getTime()));
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, "dispatcher run failed");
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        timer = setTimeout(resolve, Math.max(50, next));
      });
      clearTimeout(timer);
      wakeUp = undefined;
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      unsubscribe = onOutboxQueued(nudge);
      loop = runLoop();
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      nudge();
      await loop;
      await chain;
    },
    runOnce,
    async drain(maxRuns = 50) {
      let report = await runOnce();
      // Each run may queue more (an edit after a card went out, a notice): run while runs get somewhere.
      for (let i = 1; i < maxRuns && report.progressed > 0; i++) report = await runOnce();
      return report;
    },
    nudge,
  };
}

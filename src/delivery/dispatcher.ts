/**
 * Sends what the outbox holds. Telegram trouble delays messages, never drops them: what a failed
 * call leads to is decided by classify-failure.ts and carried out here (a member who blocked the bot
 * is recorded on the request and its card; an officer whose private chat refuses is named in the
 * group; a failure for good is recorded on the request's timeline). Each chat's messages keep their
 * order (a later one waits while an earlier one is retried). The officers' group has its budget and
 * digests (group-budget.ts); after a send, after-send.ts does the bookkeeping.
 * Several dispatchers may run at once: an item is sent by the one holding its lease.
 */
import type { Api } from "grammy";
import type { Logger } from "../logger";
import type { Config } from "../config";
import { pruneLocks } from "../domain/locks";
import { isWhatsAppOnlyKey } from "../domain/member-keys";
import { leaseItem, markFailed, markRetry, markSent, markSettled, onOutboxQueued, pendingItems, pruneSent, type OutboxItem } from "../domain/outbox";
import { setOfficerGroupId } from "../domain/settings";
import { recordDeliveryFailure, repairMissingCards, syncPendingEffects } from "../domain/request-effects";
import { onForbidden } from "./forbidden";
import { captionAsText, messageIdsOf, plainPayload, prepareItem, type Prepared } from "./prepare-item";
import { classifyFailure } from "./classify-failure";
import { afterSent, MEMBER_KINDS } from "./after-send";
import { count, DEFAULT_GROUP_LIMIT, groupPhase, type GroupLimit, type Outcome, type Progress } from "./group-budget";
export { DEFAULT_GROUP_LIMIT, type GroupLimit } from "./group-budget";
import { findRequestById } from "../domain/requests";
import { createPacer } from "./pacer";

export interface DispatcherDeps {
  logger: Logger;
  config: Pick<Config, "officerGroupId" | "sla">;
  /** Injectable for tests (no real waiting). */
  clock?: () => Date;
  groupLimit?: GroupLimit;
  /** How often a running dispatcher looks at the outbox when nothing woke it (ms). */
  pollMs?: number;
  /** A Bot API call taking longer is aborted and retried (ms). */
  sendTimeoutMs?: number;
  /** Private chats' sends per second at most (Telegram's overall limit is about 30). */
  privatePerSecond?: number;
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

/** Sent items are kept this long (the group budget, inspection, and finding a lost card's place). */
const SENT_KEPT_MS = 7 * 24 * 3600_000;
/** Starts the timeline note of a message the officers' group never got. */
export const GROUP_NOTE = "grup";

export function createDispatcher(api: Api, deps: DispatcherDeps): Dispatcher {
  const pacer = createPacer(deps.privatePerSecond);
  const basisAt = (now: Date) => ({ now, sla: deps.config.sla }); // what a delivery's change of a request is computed with
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

  /** afterSent for an item already marked done: a failure is logged and never ends the run. */
  async function afterSentLogged(item: OutboxItem, chatId: number, ids: number[], prepared: Prepared, now: Date) {
    try {
      await afterSent(item, chatId, ids, prepared, basisAt(now), (react) => call("setMessageReaction", react));
    } catch (err) {
      // Sent is sent (never again). Only a new card's place (and its reply link) is repaired, by the
      // scan (repairMissingCards); other bookkeeping lost here (a media or relay reply link, a card
      // edit's hash) stays lost: the log says so.
      log.error({ item: item.id, kind: item.kind, err: err instanceof Error ? err.message : String(err) }, "bookkeeping after a send failed");
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
      const prepared = await prepareItem(item, chatId, now);
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
    const decision = classifyFailure(err, {
      group: item.group,
      toConfiguredGroup: item.target === "group",
      attempts: item.attempts,
      plain: Boolean(item.ref.plain),
      method: prepared.method,
      groupFixedByConfig: deps.config.officerGroupId !== undefined,
    });
    const later = (ms: number) => new Date(now.getTime() + ms);
    switch (decision.action) {
      case "pause":
        pausedUntil = Math.max(pausedUntil, now.getTime() + decision.waitMs);
        await markRetry(item.id, later(decision.waitMs), decision.note, false);
        log.warn({ ...where, retry_after: decision.waitMs / 1000 }, "Telegram asks to wait (429)");
        return "paused";
      case "not_modified":
        // Nothing changed in the group: settled, not counted as a send.
        await markSettled(item.id);
        await afterSentLogged(item, chatId, [], prepared, now);
        return "settled";
      case "follow_migration":
        await setOfficerGroupId(decision.chatId, 0);
        await markRetry(item.id, now, decision.note, false);
        log.info({ ...where, migrate_to_chat_id: decision.chatId }, "the officers' group became a supergroup; following it");
        return "retry";
      case "retry":
        await markRetry(item.id, later(decision.delayMs), decision.note, true);
        if (decision.network) log.warn({ ...where, error: decision.note.slice(0, 200) }, "delivery failed (network); will retry");
        else (decision.groupUnreachable ? log.error.bind(log) : log.warn.bind(log))({ ...where, error: decision.note }, "delivery failed; will retry");
        return "retry";
      case "caption_as_text":
        // The group takes no such media: that is final (the card says so); its caption goes as text.
        if (item.requestId) await recordDeliveryFailure(item.requestId, `${GROUP_NOTE} (${item.kind}) ${decision.note}`, basisAt(now));
        await markRetry(item.id, now, decision.note, true, { ...item.ref, plain: true, asText: true });
        log.warn({ ...where, error: decision.note }, "the group refused the media; sending its caption as plain text");
        return "retry";
      case "retry_plain":
        // Most likely the HTML (a cut entity, a stray tag): once more without formatting, right away.
        await markRetry(item.id, now, decision.note, true, { ...item.ref, plain: true });
        log.warn({ ...where, error: decision.note }, "the group refused the message; sending it as plain text");
        return "retry";
      case "give_up":
        await markFailed(item.id, decision.note);
        log.warn({ ...where, error: decision.note }, "delivery refused by Telegram; not retried");
        if (decision.errorCode === 403) await onForbidden(item, decision.description, basisAt(now));
        else if (MEMBER_KINDS.has(item.kind) && item.requestId) await recordDeliveryFailure(item.requestId, decision.note, basisAt(now));
        // A card edit that fails is not recorded: the record would edit the card again.
        else if (item.group && item.requestId && item.kind !== "card") await recordDeliveryFailure(item.requestId, `${GROUP_NOTE} (${item.kind}) ${decision.note}`, basisAt(now));
        return "failed";
    }
  }

  /** Private chats: in order per chat, no shared budget. */
  async function privatePhase(items: OutboxItem[], all: OutboxItem[], p: Progress) {
    const blocked = new Set<number>();
    for (const it of items) {
      const chat = it.chatId;
      if (chat === null || blocked.has(chat)) continue;
      if (isWhatsAppOnlyKey(chat)) {
        // No Telegram chat has such an id (domain/member-keys.ts): never sent here.
        await markFailed(it.id, "a WhatsApp-only member: no Telegram chat");
        continue;
      }
      if (pausedUntil > clock().getTime()) return;
      if (it.nextAttemptAt.getTime() > clock().getTime()) {
        blocked.add(chat);
        p.wake.push(it.nextAttemptAt.getTime());
        continue;
      }
      await pacer.turn();
      const o = await processItem(it, chat, all);
      count(p, o);
      if (o !== "sent" && o !== "failed" && o !== "skipped" && o !== "settled") blocked.add(chat);
      if (o === "paused") return;
      if (o === "deferred") p.wake.push(clock().getTime() + 1_000);
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
    await pruneLocks(10 * 60_000);
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
      await privatePhase(
        items.filter((i) => !i.group),
        items,
        p,
      );
      await groupPhase(items, p, { limit, clock, officerGroupId: deps.config.officerGroupId, pausedUntil: () => pausedUntil, processItem });
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

  // Something was queued while a run was under way: that run may not have seen it, so run again at once.
  let nudged = false;
  function nudge() {
    nudged = true;
    wakeUp?.();
  }

  async function runLoop() {
    while (!stopped) {
      let next = pollMs;
      nudged = false;
      try {
        const report = await runOnce();
        // Something due that did not move (e.g. another dispatcher holds it): look again in a second, not at once.
        const least = report.progressed > 0 ? 0 : 1_000;
        if (report.nextWakeAt) next = Math.min(pollMs, Math.max(least, report.nextWakeAt.getTime() - clock().getTime()));
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, "dispatcher run failed");
      }
      if (stopped) break;
      if (nudged) next = 0;
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

/**
 * The officers' group gets at most `max` messages per `windowMs` (Telegram's limit for a group,
 * counted over every process: the sent outbox rows are the record). Three tiers share it:
 * interactive items (a prompt, a notice answering an officer: someone waits for them) may use every
 * slot; edits, relays and digests leave `interactiveReserve` slots free for them; new-request cards
 * leave `reserve` free for both. When new requests queue up faster than the budget allows, one
 * digest lists them at once and their cards follow as the budget frees up. One dispatcher at a time
 * works on the group (a lock), re-reading the queue before each send so a prompt queued meanwhile
 * (by this process or another) goes next.
 */
import type { OutboxItem } from "../domain/outbox";
import { groupSendsSince, isInteractive, pendingGroupItems, PRIORITY } from "../domain/outbox";
import { tryLock } from "../domain/locks";
import { getOfficerGroupId } from "../domain/settings";
import type { Clock } from "../lib/clock";
import { queueDigests } from "./digest";

export interface GroupLimit {
  max: number;
  windowMs: number;
  /** Slots new-request cards leave free for edits, relays and interactive items. */
  reserve: number;
  /** Slots edits, relays and digests leave free for interactive items (default 1, at most `reserve`). */
  interactiveReserve?: number;
}

export const DEFAULT_GROUP_LIMIT: GroupLimit = { max: 20, windowMs: 60_000, reserve: 3, interactiveReserve: 1 };

/** `settled`: done without a call (an edit that would change nothing); `skipped`: another dispatcher has it. */
export type Outcome = "sent" | "failed" | "retry" | "paused" | "deferred" | "skipped" | "settled";

export interface Progress {
  sent: number;
  failed: number;
  retried: number;
  progressed: number;
  wake: number[];
}

export function count(p: Progress, o: Outcome) {
  if (o === "sent") p.sent++;
  else if (o === "failed") p.failed++;
  else if (o === "retry") p.retried++;
  if (o === "sent" || o === "failed" || o === "retry" || o === "settled") p.progressed++;
}

/** How many of the window's slots an item of this priority must leave free. */
export function slotsKept(priority: number, limit: GroupLimit): number {
  if (isInteractive(priority)) return 0;
  if (priority >= PRIORITY.alert) return limit.reserve;
  return Math.min(limit.interactiveReserve ?? 1, limit.reserve);
}

/** The item waits: the budget left is within what its tier leaves free. */
export function heldBackByBudget(priority: number, left: number, limit: GroupLimit): boolean {
  return left <= slotsKept(priority, limit);
}

/** More new cards wait than the budget can take now (beyond the reserve): time for a digest. */
export function wantsDigest(alerts: number, left: number, limit: GroupLimit): boolean {
  return alerts > Math.max(0, left - limit.reserve);
}

/** When enough of the window's sends (oldest first) have aged out to leave more than `kept` slots free. */
export function freeBeyondAt(sends: Date[], kept: number, limit: GroupLimit): number {
  const mustExpire = sends.length - (limit.max - kept - 1);
  return sends[Math.max(0, mustExpire - 1)].getTime() + limit.windowMs + 1;
}

export interface GroupPhaseDeps {
  limit: GroupLimit;
  clock: Clock;
  /** OFFICER_GROUP_ID, if set (else the linked group). */
  officerGroupId: number | undefined;
  /** Until when Telegram asked everything to wait (429). */
  pausedUntil: () => number;
  processItem: (item: OutboxItem, chatId: number, all: OutboxItem[]) => Promise<Outcome>;
}

/** The officers' group: priorities, the budget, digests. One dispatcher at a time. */
export async function groupPhase(all: OutboxItem[], p: Progress, d: GroupPhaseDeps): Promise<void> {
  const { limit, clock } = d;
  let queue = all.filter((i) => i.group);
  if (queue.length === 0) return;
  const groupId = await getOfficerGroupId(d.officerGroupId);
  const chatOf = (i: OutboxItem) => (i.target === "group" ? groupId : (i.chatId ?? undefined));
  const release = await tryLock("outbox:group", 60_000);
  if (!release) {
    p.wake.push(clock().getTime() + 1_000);
    return;
  }
  try {
    const startedAt = clock().getTime();
    let digestChecked = false;
    // Items this run has dealt with (sent, failed, retried later, or another dispatcher's): not again.
    const done = new Set<string>();
    let first = true;
    let known = all;
    for (;;) {
      if (clock().getTime() - startedAt > 45_000 || d.pausedUntil() > clock().getTime()) return;
      // Re-read before each send: what was queued meanwhile takes its place by priority.
      if (!first) {
        const fresh = await pendingGroupItems();
        // Every pending item (a retried alert too) tells processItem that a card is still to come.
        known = [...all.filter((i) => !i.group), ...fresh];
        queue = fresh.filter((i) => !done.has(i.id));
      }
      first = false;
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
      if (!digestChecked && wantsDigest(alerts.length, budget, limit)) {
        digestChecked = true;
        // The next iteration re-reads the queue, the new digest in its place.
        if (await queueDigests(alerts, new Date(now))) continue;
      }
      let progressed = false;
      let leastKept: number | undefined;
      for (const it of due) {
        if (heldBackByBudget(it.priority, budget, limit)) {
          leastKept = Math.min(leastKept ?? Infinity, slotsKept(it.priority, limit));
          continue;
        }
        const o = await d.processItem(it, chatOf(it)!, known);
        count(p, o);
        if (o === "deferred") {
          p.wake.push(clock().getTime() + 1_000);
          continue;
        }
        done.add(it.id);
        if (o === "paused") return;
        progressed = true;
        break;
      }
      if (!progressed) {
        // What was held back waits until enough of the window's sends have aged out.
        if (leastKept !== undefined) p.wake.push(freeBeyondAt(sends, leastKept, limit));
        return;
      }
    }
  } finally {
    await release();
  }
}

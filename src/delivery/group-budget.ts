/**
 * The officers' group gets at most `max` messages per `windowMs` (Telegram's limit for a group,
 * counted over every process: the sent outbox rows are the record). Prompts and card edits go first,
 * new-request cards last and only while `reserve` slots stay free; when new requests queue up faster
 * than the budget allows, one digest lists them at once and their cards follow as the budget frees up.
 * One dispatcher at a time works on the group (a lock).
 */
import type { OutboxItem } from "../domain/outbox";
import { groupSendsSince, pendingItems, PRIORITY } from "../domain/outbox";
import { tryLock } from "../domain/locks";
import { getOfficerGroupId } from "../domain/settings";
import type { Clock } from "../lib/clock";
import { queueDigests } from "./digest";

export interface GroupLimit {
  max: number;
  windowMs: number;
  /** Slots new-request cards leave free for prompts, edits and relays. */
  reserve: number;
}

export const DEFAULT_GROUP_LIMIT: GroupLimit = { max: 20, windowMs: 60_000, reserve: 2 };

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

/** New cards wait while the budget left is within the reserve (kept for prompts, edits and relays). */
export function heldBackByBudget(priority: number, left: number, limit: GroupLimit): boolean {
  return priority >= PRIORITY.alert && left <= limit.reserve;
}

/** More new cards wait than the budget can take now (beyond the reserve): time for a digest. */
export function wantsDigest(alerts: number, left: number, limit: GroupLimit): boolean {
  return alerts > Math.max(0, left - limit.reserve);
}

/** When enough of the window's sends (oldest first) have aged out to leave the reserve free again. */
export function reserveFreeAt(sends: Date[], limit: GroupLimit): number {
  const mustExpire = sends.length - (limit.max - limit.reserve - 1);
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
    for (;;) {
      if (clock().getTime() - startedAt > 45_000 || d.pausedUntil() > clock().getTime()) return;
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
        const o = await d.processItem(it, chatOf(it)!, all);
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

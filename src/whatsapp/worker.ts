/**
 * Handles the stored WhatsApp messages (inbound.ts), one sender's in order. Two ways in:
 *
 * - **From memory** (`store`): while this process is alone on the database and the store holds
 *   nothing waiting, the webhook's new messages are stored as already taken by this process (the
 *   insert is the claim: a unique `_id` has one winner) and handled from memory: no reading them
 *   back, no lock in the database, one sender's messages one after the other (`serialLocally`).
 * - **From the store** (the loops): a message another process stored, one stored while this
 *   process shared the database, or one whose lease ran out after a crash. The loops look when
 *   woken and every `idleMs` anyway.
 *
 * A handled message is marked done in batches (`DONE_FLUSH_MS`): until then its lease keeps it
 * from being taken again, and one taken again after a crash is recognised by its session
 * (channel.ts keeps the last messages handled) and not handled twice. A handler that throws leaves
 * the message to be tried again (and set aside, logged, after INBOUND_ATTEMPTS).
 */
import type { Logger } from "../logger";
import { serialLocally } from "../domain/locks";
import { INBOUND_LEASE_MS, markInboundDone, markInboundFailed, senderOf, storeEvents, takeNextInbound, type InboundMessage, type StoreResult } from "./inbound";
import type { WebhookEvent } from "./webhook";

export type InboundHandler = (message: InboundMessage) => Promise<void>;

/**
 * How long handled messages wait to be marked done together (one write for all of them). Far
 * inside the lease: until the mark, the lease keeps the loops away, and a message taken again after
 * a crash is known to its session as handled.
 */
export const DONE_FLUSH_MS = 2_000;
/** Messages waiting in memory at most; beyond, new ones go to the store for the loops. */
const MAX_IN_MEMORY = 500;
/** A message from memory whose lease has less than this left is left to the loops (its lease runs out, another may take it). */
const LEASE_MARGIN_MS = 10_000;

export interface InboundWorker {
  /** Look for work in the store now. */
  wake(): void;
  /**
   * Stores a webhook's events (inbound.ts) and handles its new messages from memory when it may:
   * not while another process serves the database, while messages stored for the loops may still
   * wait in the store (they go first, in order), or while too many wait in memory.
   */
  store(events: WebhookEvent[], now: Date): Promise<StoreResult>;
  /** Writes the done marks waiting for their batch now. */
  flush(): Promise<void>;
  /** Finishes the messages in hand, then stops. */
  stop(): Promise<void>;
  /** Resolves when nothing is waiting (tests). */
  drained(): Promise<void>;
}

export interface InboundWorkerDeps {
  logger: Logger;
  clock: () => Date;
  idleMs?: number;
  retryAfterMs?: number;
  concurrency?: number;
  /** Whether another process serves the database (db/presence.ts): then every message goes through the store. */
  shared?: () => boolean;
}

export function startInboundWorker(handle: InboundHandler, deps: InboundWorkerDeps): InboundWorker {
  const idleMs = deps.idleMs ?? 1_000;
  const shared = deps.shared ?? (() => false);
  let stopped = false;
  const wakers = new Set<() => void>();
  const wakeAll = () => [...wakers].forEach((w) => w());
  const drainWaiters: (() => void)[] = [];
  let idleLoops = 0;
  const loops = Math.max(1, deps.concurrency ?? 4);
  // Whose messages go through the store rather than memory, so that they keep their order: senders
  // with a message stored for the loops, or one that failed and waits to be tried again (`failing`).
  // A look at the store that finds nothing forgets all but the failing ones (unless a store for the
  // loops was under way or done meanwhile: `storing`, `stores`). Nothing is claimed before the
  // first such look, so what waited from before a restart (or from another process) goes first.
  const toLoops = new Set<string>();
  const failing = new Set<string>();
  let ready = false;
  let storing = 0;
  let stores = 0;
  let sawBusy = false;
  const inMemory = new Set<Promise<void>>();

  // Done marks, written together.
  let done: string[] = [];
  let flushing: Promise<void> | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  async function flush(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    while (flushing) await flushing;
    const ids = done;
    done = [];
    if (ids.length === 0) return;
    flushing = markInboundDone(ids, deps.clock()).then(
      () => undefined,
      (err) => {
        // Still leased: tried again shortly (and recognised by its session if taken again meanwhile).
        done.push(...ids);
        deps.logger.warn({ err: String(err), messages: ids.length }, "WhatsApp messages not yet marked done; trying again");
        if (!stopped) schedule(1_000);
      },
    );
    await flushing;
    flushing = null;
    // A loop that found a sender busy may have waited for these marks.
    if (sawBusy) {
      sawBusy = false;
      wakeAll();
    }
  }
  function schedule(ms = DONE_FLUSH_MS) {
    if (!flushTimer) flushTimer = setTimeout(() => void flush(), ms);
  }

  function settle(): void {
    if (idleLoops === loops && inMemory.size === 0) drainWaiters.splice(0).forEach((w) => w());
  }

  /**
   * Handles one message holding its sender in this process. From memory (`leaseEnds` given) its
   * done mark waits for the next batch, and while the failure cannot even be recorded (the database
   * is away) it is tried again here as long as its lease holds, instead of waiting for the lease to run out.
   */
  async function run(message: InboundMessage, leaseEnds?: number): Promise<void> {
    const retryAfterMs = deps.retryAfterMs ?? 5_000;
    for (;;) {
      try {
        await handle(message);
        if (leaseEnds) {
          done.push(message.wamid);
          schedule();
        } else await markInboundDone(message.wamid, deps.clock());
        failing.delete(senderOf(message));
        await message.release().catch(() => undefined);
        return;
      } catch (err) {
        failing.add(senderOf(message));
        toLoops.add(senderOf(message));
        const outcome = await markInboundFailed(message, err, deps.clock(), retryAfterMs).catch(() => "unrecorded" as const);
        if (outcome === "unrecorded" && leaseEnds && !stopped && leaseEnds - deps.clock().getTime() > LEASE_MARGIN_MS + retryAfterMs) {
          deps.logger.warn({ err: String(err) }, "WhatsApp message not handled (database unavailable?); trying again shortly");
          await new Promise((r) => setTimeout(r, retryAfterMs));
          continue;
        }
        await message.release().catch(() => undefined);
        deps.logger[outcome === "failed" ? "error" : "warn"](
          { err: String(err), attempts: message.attempts },
          outcome === "failed" ? "WhatsApp message set aside after repeated failures" : "WhatsApp message to be handled again",
        );
        // The retry is the loops' (its lease says when), and the sender's next messages wait behind it.
        if (outcome !== "failed") setTimeout(wakeAll, retryAfterMs + 10).unref?.();
        else failing.delete(senderOf(message));
        return;
      }
    }
  }

  function accept(messages: InboundMessage[], storedAt: Date): void {
    const leaseEnds = storedAt.getTime() + INBOUND_LEASE_MS;
    for (const message of messages) {
      const job = serialLocally(`whatsapp:${senderOf(message)}`, async () => {
        // Waited too long behind the sender's earlier messages: the loops take it when its lease runs out.
        if (leaseEnds - deps.clock().getTime() < LEASE_MARGIN_MS) {
          toLoops.add(senderOf(message));
          return;
        }
        await run(message, leaseEnds);
      }).finally(() => {
        inMemory.delete(job);
        settle();
      });
      inMemory.add(job);
    }
  }

  async function step(look: { busy?: boolean }): Promise<boolean> {
    const message = await takeNextInbound(deps.clock(), INBOUND_LEASE_MS, look);
    if (!message) return false;
    await serialLocally(`whatsapp:${senderOf(message)}`, () => run(message));
    return true;
  }

  // Several loops: different senders' messages are handled side by side (takeNextInbound keeps
  // one sender's in order); drained when every loop found nothing.
  const loop = async (index: number) => {
    while (!stopped) {
      let worked = false;
      const before = { storing, stores };
      const look: { busy?: boolean } = {};
      try {
        worked = await step(look);
        if (look.busy) sawBusy = true;
        if (!worked && !look.busy && before.storing === 0 && storing === 0 && before.stores === stores) {
          ready = true;
          for (const sender of toLoops) if (!failing.has(sender)) toLoops.delete(sender);
        }
      } catch (err) {
        deps.logger.warn({ err: String(err) }, "WhatsApp inbox unavailable; looking again shortly");
      }
      if (worked) {
        // There may be more: one more loop looks too.
        [...wakers][0]?.();
        continue;
      }
      idleLoops++;
      settle();
      if (!stopped) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            wakers.delete(wake);
            resolve();
          };
          // The first loop looks every idleMs; the others when woken.
          const timer = index === 0 ? setTimeout(wake, idleMs) : undefined;
          wakers.add(wake);
        });
      }
      idleLoops--;
    }
  };
  const running = Promise.all(Array.from({ length: loops }, (_, i) => loop(i)));

  return {
    wake: wakeAll,
    flush,
    async store(events, now) {
      const senders = events.flatMap((e) => (e.kind === "message" ? [senderOf(e)] : []));
      if (shared()) ready = false;
      if (ready && !stopped && inMemory.size < MAX_IN_MEMORY && !senders.some((x) => toLoops.has(x))) {
        const result = await storeEvents(events, now, INBOUND_LEASE_MS);
        accept(result.claimed, now);
        return result;
      }
      senders.forEach((x) => toLoops.add(x));
      storing++;
      try {
        return await storeEvents(events, now);
      } finally {
        storing--;
        stores++;
        wakeAll();
      }
    },
    async stop() {
      stopped = true;
      wakeAll();
      await running;
      await Promise.all([...inMemory]);
      await flush();
      drainWaiters.splice(0).forEach((w) => w());
    },
    async drained() {
      // Until a look finds nothing busy once the done marks are written (a sender waits for its last mark).
      for (let round = 0; round < 50; round++) {
        sawBusy = false;
        await new Promise<void>((resolve) => {
          drainWaiters.push(resolve);
          wakeAll();
        });
        const more = done.length > 0 || sawBusy;
        await flush();
        if (!more) return;
      }
    },
  };
}

/**
 * Handles the stored WhatsApp messages (inbound.ts) one after the other, oldest first, one sender's
 * in order: woken when a webhook stored something, and looking every `idleMs` anyway (a message
 * another process stored, a lease that ran out after a crash). A handler that throws leaves the
 * message to be tried again (and set aside, logged, after INBOUND_ATTEMPTS).
 */
import type { Logger } from "../logger";
import { markInboundDone, markInboundFailed, takeNextInbound, type InboundMessage } from "./inbound";

export type InboundHandler = (message: InboundMessage) => Promise<void>;

export interface InboundWorker {
  /** Look for work now. */
  wake(): void;
  /** Finishes the message in hand, then stops. */
  stop(): Promise<void>;
  /** Resolves when nothing is waiting (tests). */
  drained(): Promise<void>;
}

export function startInboundWorker(
  handle: InboundHandler,
  deps: { logger: Logger; clock: () => Date; idleMs?: number; retryAfterMs?: number; concurrency?: number },
): InboundWorker {
  const idleMs = deps.idleMs ?? 1_000;
  let stopped = false;
  const wakers = new Set<() => void>();
  const wakeAll = () => [...wakers].forEach((w) => w());
  const drainWaiters: (() => void)[] = [];
  let idleLoops = 0;

  async function step(): Promise<boolean> {
    const message = await takeNextInbound(deps.clock());
    if (!message) return false;
    try {
      await handle(message);
      await markInboundDone(message.wamid, deps.clock());
      await message.release().catch(() => undefined);
    } catch (err) {
      const outcome = await markInboundFailed(message, err, deps.clock(), deps.retryAfterMs).catch(() => "retry" as const);
      await message.release().catch(() => undefined);
      deps.logger[outcome === "failed" ? "error" : "warn"](
        { err: String(err), attempts: message.attempts },
        outcome === "failed" ? "WhatsApp message set aside after repeated failures" : "WhatsApp message to be handled again",
      );
    }
    return true;
  }

  // Several loops: different senders' messages are handled side by side (takeNextInbound keeps
  // one sender's in order); drained when every loop found nothing.
  const loops = Math.max(1, deps.concurrency ?? 4);
  const loop = async () => {
    while (!stopped) {
      let worked = false;
      try {
        worked = await step();
      } catch (err) {
        deps.logger.warn({ err: String(err) }, "WhatsApp inbox unavailable; looking again shortly");
      }
      if (worked) continue;
      if (++idleLoops === loops) drainWaiters.splice(0).forEach((w) => w());
      if (!stopped) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            wakers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, idleMs);
          wakers.add(wake);
        });
      }
      idleLoops--;
    }
  };
  const running = Promise.all(Array.from({ length: loops }, loop));

  return {
    wake: wakeAll,
    async stop() {
      stopped = true;
      wakeAll();
      await running;
      drainWaiters.splice(0).forEach((w) => w());
    },
    drained() {
      return new Promise<void>((resolve) => {
        drainWaiters.push(resolve);
        wakeAll();
      });
    },
  };
}

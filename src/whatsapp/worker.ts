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

export function startInboundWorker(handle: InboundHandler, deps: { logger: Logger; clock: () => Date; idleMs?: number; retryAfterMs?: number }): InboundWorker {
  const idleMs = deps.idleMs ?? 1_000;
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  const drainWaiters: (() => void)[] = [];

  async function step(): Promise<boolean> {
    const message = await takeNextInbound(deps.clock());
    if (!message) return false;
    try {
      await handle(message);
      await markInboundDone(message.wamid, deps.clock());
    } catch (err) {
      const outcome = await markInboundFailed(message, err, deps.clock(), deps.retryAfterMs).catch(() => "retry" as const);
      deps.logger[outcome === "failed" ? "error" : "warn"](
        { err: String(err), attempts: message.attempts },
        outcome === "failed" ? "WhatsApp message set aside after repeated failures" : "WhatsApp message to be handled again",
      );
    }
    return true;
  }

  const loop = (async () => {
    while (!stopped) {
      let worked = false;
      try {
        worked = await step();
      } catch (err) {
        deps.logger.warn({ err: String(err) }, "WhatsApp inbox unavailable; looking again shortly");
      }
      if (worked) continue;
      drainWaiters.splice(0).forEach((w) => w());
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idleMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  })();

  return {
    wake: () => wakeUp?.(),
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
      drainWaiters.splice(0).forEach((w) => w());
    },
    drained() {
      return new Promise<void>((resolve) => {
        drainWaiters.push(resolve);
        wakeUp?.();
      });
    },
  };
}

/**
 * Telegram's overall limit for a bot: about 30 messages a second (more gets 429s for everyone).
 * The private chats' sends wait for their turn here, so a program's announcement to a thousand
 * members goes out at `perSecond` and every other message keeps flowing between them. Wall time on
 * purpose: the limit is Telegram's, whatever clock the dispatcher is given.
 */
import { performance } from "node:perf_hooks";

export interface Pacer {
  /** Resolves when one more send fits in the last second. */
  turn(): Promise<void>;
}

export const PRIVATE_SENDS_PER_SECOND = 25;

export function createPacer(
  perSecond = PRIVATE_SENDS_PER_SECOND,
  now: () => number = () => performance.now(),
  sleep: (ms: number) => Promise<unknown> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Pacer {
  const recent: number[] = [];
  return {
    async turn() {
      for (;;) {
        const t = now();
        while (recent.length && t - recent[0] >= 1_000) recent.shift();
        if (recent.length < perSecond) {
          recent.push(t);
          return;
        }
        await sleep(Math.max(1, 1_000 - (t - recent[0])));
      }
    },
  };
}

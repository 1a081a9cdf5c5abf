import { autoRetry } from "@grammyjs/auto-retry";
import { HttpError, type Transformer } from "grammy";

export const RETRY_LIMITS = {
  /** Retries after 429 (waiting retry_after) or 5xx (waiting 3 s, 6 s, 12 s). */
  attempts: 3,
  /** A 429 that asks for a longer wait is not retried here (the outbox retries later). */
  maxDelaySeconds: 30,
  /** Retries after a network error (Telegram unreachable), waiting 1 s, 2 s, 4 s. */
  networkAttempts: 3,
  networkFirstDelayMs: 1000,
};

/** Grammy's AbortSignal type comes from a polyfill package; only these two members are used. */
interface Signal {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

function pause(ms: number, signal?: Signal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    function abort() {
      clearTimeout(timer);
      reject(new Error("request aborted while waiting to retry"));
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/**
 * @grammyjs/auto-retry, capped. Its own retries after network errors are unlimited (backing off up
 * to an hour), which would hold a member's chat (sequentialize) for as long as Telegram is
 * unreachable; so it rethrows them and they are retried here a few times instead. The total wait
 * stays under a minute; what must arrive in the end goes through the outbox, which retries later.
 */
export function createRetryTransformer(limits = RETRY_LIMITS): Transformer {
  const auto = autoRetry({ maxRetryAttempts: limits.attempts, maxDelaySeconds: limits.maxDelaySeconds, rethrowHttpErrors: true });
  return (prev, method, payload, signal) =>
    auto(
      async (m, p, s) => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await prev(m, p, s);
          } catch (err) {
            if (!(err instanceof HttpError) || s?.aborted || attempt >= limits.networkAttempts) throw err;
            await pause(limits.networkFirstDelayMs * 2 ** attempt, s);
          }
        }
      },
      method,
      payload,
      signal,
    );
}

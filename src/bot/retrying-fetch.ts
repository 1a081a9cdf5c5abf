import { autoRetry } from "@grammyjs/auto-retry";

export const RETRY_LIMITS = {
  /** Retries after 429 (waiting retry_after) or 5xx (waiting 3 s, 6 s, 12 s). */
  attempts: 3,
  /** A 429 that asks for a longer wait is not retried here (the outbox retries later). */
  maxDelaySeconds: 30,
  /** Retries after a network error (Telegram unreachable), waiting 1 s, 2 s, 4 s. */
  networkAttempts: 3,
  networkFirstDelayMs: 1000,
};

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
interface Signal {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

function pause(ms: number, signal?: Signal | null): Promise<void> {
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
 * The Bot API client's `fetch`, retrying: 429 after retry_after and 5xx through @grammyjs/auto-retry,
 * network errors here; both capped (auto-retry alone retries network errors for ever, holding the
 * member's chat under sequentialize). At the fetch level on purpose: the conversations plugin builds
 * the dialogues' Api from the same client options and records what a call returned; retries made
 * below that record happen once, whereas a transformer sits above it and would wait again, for the
 * recorded 429 or 5xx, every time the dialogue is replayed. A streamed (multipart) body cannot be
 * sent twice and is not retried. What must arrive in the end goes through the outbox.
 */
export function createRetryingFetch(inner: Fetch = globalThis.fetch, limits = RETRY_LIMITS): Fetch {
  const auto = autoRetry({ maxRetryAttempts: limits.attempts, maxDelaySeconds: limits.maxDelaySeconds, rethrowHttpErrors: true });
  return async (input, init) => {
    if (init?.body !== undefined && init.body !== null && typeof init.body !== "string") return inner(input, init);
    const url = String(input);
    const method = url.slice(url.lastIndexOf("/") + 1);
    const signal = init?.signal as Signal | null | undefined;
    let status = 200;
    // The first try: an answer Telegram accepted goes on as it came (no parsing, no copy).
    let firstAnswer: Promise<unknown> | undefined;
    let networkTriesSpent = 0;
    try {
      const res = await inner(input, init);
      if (res.ok) return res;
      status = res.status;
      firstAnswer = res.json();
    } catch (err) {
      if (signal?.aborted || limits.networkAttempts < 1) throw err;
      await pause(limits.networkFirstDelayMs, signal);
      networkTriesSpent = 1;
    }
    const once = async () => {
      if (firstAnswer) {
        const answer = firstAnswer;
        firstAnswer = undefined;
        return answer;
      }
      const from = networkTriesSpent;
      networkTriesSpent = 0;
      for (let attempt = from; ; attempt++) {
        try {
          const res = await inner(input, init);
          status = res.status;
          return await res.json();
        } catch (err) {
          if (signal?.aborted || attempt >= limits.networkAttempts) throw err;
          await pause(limits.networkFirstDelayMs * 2 ** attempt, signal);
        }
      }
    };
    const result = await auto(once as never, method as never, {} as never, signal as never);
    return new Response(JSON.stringify(result), { status, headers: { "content-type": "application/json" } });
  };
}

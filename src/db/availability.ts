/**
 * Whether an error means "the database did not answer" (down, unreachable, a connection dropped,
 * mongoose gave up buffering): the work may succeed when tried again, unlike a refused write
 * (duplicate key, validation) or a bug. Looks through wrappers (grammY's BotError, `cause`).
 */
const UNAVAILABLE_NAMES = new Set([
  "MongoServerSelectionError",
  "MongooseServerSelectionError",
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoNotConnectedError",
  "MongoTopologyClosedError",
  "MongoPoolClearedError",
  "PoolClearedError",
  "PoolClearedOnNetworkError",
  // Not the database away, but the same remedy: the update is tried again (bot/conversation-storage.ts).
  "StaleDialogueError",
]);
const UNAVAILABLE_TEXT = /buffering timed out|ECONNREFUSED|ECONNRESET|connection .*(closed|timed out)|Client must be connected|server selection timed out/i;

const NETWORK_CODES = new Set(["EPIPE", "ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * An error's class name. An error thrown inside a dialogue's `conversation.external` comes back as a
 * structured clone: a plain `Error` whose stack still starts with the original name.
 */
export function originalName(e: object): unknown {
  const { name, stack } = e as { name?: unknown; stack?: unknown };
  if (name === "Error" && typeof stack === "string") return /^(\w+Error)\b/.exec(stack)?.[1] ?? name;
  return name;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { message } = e as { message?: unknown };
    const name = originalName(e);
    if (typeof name === "string" && UNAVAILABLE_NAMES.has(name)) return true;
    if (typeof name === "string" && name.startsWith("Mongo") && typeof message === "string" && UNAVAILABLE_TEXT.test(message)) return true;
    if (typeof message === "string" && /buffering timed out/.test(message)) return true;
    // The driver's socket itself failing (EPIPE, ECONNRESET …) surfaces as a plain Node error: counted
    // only when it was raised inside the driver, not for a Bot API call's network error.
    const { code, stack } = e as { code?: unknown; stack?: unknown };
    if (typeof code === "string" && NETWORK_CODES.has(code) && typeof stack === "string" && /[\\/]mongodb[\\/]/.test(stack)) return true;
    e = (e as { error?: unknown }).error ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

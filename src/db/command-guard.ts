/**
 * Two things every database command of the process passes through, installed once on the driver's
 * Collection (so mongoose models and `Model.collection` alike are covered):
 *
 * 1. Transient refusals are tried again after a short, bounded backoff instead of failing the
 *    update: FerretDB on SQLite answers "database is locked (SQLITE_BUSY)" when its single writer is
 *    busy, MongoDB labels some refusals as retryable. Only refusals that mean "not applied" count; a
 *    lost connection is not retried here (the write may have happened; the update as a whole is
 *    retried instead: main.ts, db/availability.ts).
 * 2. An update scope (AsyncLocalStorage): while an update is handled, its first write may have to
 *    wait for something first — the update's deduplication claim (bot/middlewares/idempotency.ts).
 *    Cursor reads (find, aggregate) are neither gated nor retried.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mongo } from "mongoose";

/** Attempts of one command (the first included) and the backoff between them, in ms (doubling, with jitter). */
export const COMMAND_ATTEMPTS = 6;
export const COMMAND_BACKOFF_MS = 5;

const WRITES = ["insertOne", "bulkWrite", "updateOne", "updateMany", "replaceOne", "deleteOne", "deleteMany", "findOneAndUpdate", "findOneAndReplace", "findOneAndDelete"] as const;
// insertMany is bulkWrite inside the driver: wrapping both would gate and retry it twice.
const READS = ["findOne", "countDocuments", "distinct", "estimatedDocumentCount"] as const;

/** MongoDB refusals that say the command was not applied and may succeed when sent again. */
const TRANSIENT_CODES = new Set([
  24, // LockTimeout
  91, // ShutdownInProgress
  112, // WriteConflict
  189, // PrimarySteppedDown
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);
const BUSY_TEXT = /SQLITE_BUSY|SQLITE_LOCKED|database is locked|database table is locked/i;
const NETWORK_NAMES = /^Mongo(Network|NetworkTimeout|ServerSelection|NotConnected|TopologyClosed|PoolCleared)Error$|^PoolCleared/;

/** Whether a command's error is a transient refusal: nothing was applied, the same command may succeed shortly. */
export function isTransientRefusal(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { name?: unknown; message?: unknown; code?: unknown; hasErrorLabel?: (l: string) => boolean; errorLabels?: unknown };
  if (typeof e.name === "string" && NETWORK_NAMES.test(e.name)) return false;
  if (typeof e.message === "string" && BUSY_TEXT.test(e.message)) return true;
  if (typeof e.code === "number" && TRANSIENT_CODES.has(e.code)) return true;
  const labelled = (l: string) => (typeof e.hasErrorLabel === "function" ? e.hasErrorLabel(l) : Array.isArray(e.errorLabels) && e.errorLabels.includes(l));
  return labelled("RetryableWriteError") || labelled("TransientTransactionError");
}

/** What the work of one update waits for before it writes (here) or sends (a Bot API transformer); see `withUpdateScope`. */
export interface UpdateScope {
  /** The update being handled (bot/claimed-sends.ts names its sends by it). */
  updateId?: number;
  /** Called before each write while the scope is open (one promise may serve them all). */
  beforeWrite(collection: string): Promise<void> | void;
  /** Called before each Bot API call made outside dialogues while the scope is open. */
  beforeSend(): Promise<void> | void;
  /** Makes what `beforeWrite` would make for a write outside the self-recording collections (once). */
  claim(): Promise<void>;
  /** Cleared when the update's handling is over: work that outlives it passes unchecked. */
  open: boolean;
}

const scopes = new AsyncLocalStorage<UpdateScope>();

/** Runs `fn` with `scope` in force for every database write it makes (also inside dialogues' `external`). */
export function withUpdateScope<T>(scope: UpdateScope, fn: () => Promise<T>): Promise<T> {
  return scopes.run(scope, fn);
}

/** The scope of the update being handled here, if any and still open. */
export function currentUpdateScope(): UpdateScope | undefined {
  const scope = scopes.getStore();
  return scope?.open ? scope : undefined;
}

/** Observes the retries (tests, logs). */
export type RetryListener = (info: { command: string; collection: string; attempt: number; err: unknown }) => void;
const retryListeners = new Set<RetryListener>();
export function onCommandRetry(listener: RetryListener): () => void {
  retryListeners.add(listener);
  return () => retryListeners.delete(listener);
}

/**
 * Fault injection (tests, chaos runs): called before each attempt of a command; what it throws stands
 * for the server's answer to that attempt. Unset in production.
 */
export type CommandFault = (command: string, collection: string) => void;
let fault: CommandFault | undefined;
export function injectCommandFault(f: CommandFault | undefined): void {
  fault = f;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withRetry<T>(command: string, collection: string, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      fault?.(command, collection);
      return await run();
    } catch (err) {
      if (attempt >= COMMAND_ATTEMPTS || !isTransientRefusal(err)) throw err;
      for (const l of retryListeners) l({ command, collection, attempt, err });
      // 5, 10, 20, 40, 80 ms, each plus up to half again: about 0.2 s at most in all.
      const base = COMMAND_BACKOFF_MS * 2 ** (attempt - 1);
      await sleep(base + Math.random() * base * 0.5);
    }
  }
}

type Method = (...args: unknown[]) => Promise<unknown>;
const INSTALLED = Symbol.for("aspirasi.commandGuard");

/** Installs the guard on the driver's Collection (once per process; idempotent). */
export function installCommandGuard(): void {
  const proto = mongo.Collection.prototype as unknown as Record<string | symbol, unknown>;
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  for (const name of WRITES) {
    const original = proto[name] as Method;
    proto[name] = async function (this: { collectionName: string }, ...args: unknown[]) {
      await currentUpdateScope()?.beforeWrite(this.collectionName);
      return withRetry(name, this.collectionName, () => original.apply(this, args));
    };
  }
  for (const name of READS) {
    const original = proto[name] as Method;
    proto[name] = function (this: { collectionName: string }, ...args: unknown[]) {
      return withRetry(name, this.collectionName, () => original.apply(this, args));
    };
  }
}

installCommandGuard();

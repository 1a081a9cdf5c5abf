/**
 * Who else serves this database. Every process writes its heartbeat to `processbeats` every
 * `intervalMs` and counts the others beating within `staleMs`. With MULTI_PROCESS=auto a process
 * that sees another live one is "shared" (dialogue states read fresh and written by revision:
 * bot/conversation-storage.ts) until none has beaten for `aloneAfterMs`; alone, it keeps the fast
 * path (states cached). MULTI_PROCESS=true / false fix the answer; the heartbeat is written all the
 * same, so the others see this process. A failed beat or count keeps the last answer (a process cut
 * off from the database handles nothing meanwhile); the switch to "alone" waits longer than the
 * switch to "shared", so a peer that missed a few beats is not taken for gone.
 */
import { randomUUID } from "node:crypto";
import { ProcessBeat } from "./models/process-beat";

export type MultiProcessMode = "auto" | boolean;

export interface Presence {
  /** Whether another live process serves the database (or MULTI_PROCESS=true says so). */
  shared(): boolean;
  /** How many other processes beat within staleMs at the last count. */
  others(): number;
  /** One beat and count now (also what the timer runs). */
  beatOnce(): Promise<void>;
  /** Stops beating and removes this process's document. */
  stop(): Promise<void>;
}

export interface PresenceOptions {
  mode: MultiProcessMode;
  intervalMs?: number;
  staleMs?: number;
  aloneAfterMs?: number;
  clock?: () => Date;
  /** Told when the answer changes (and why), and of failed beats. */
  onChange?: (shared: boolean, others: number) => void;
  onError?: (err: unknown) => void;
  timer?: boolean;
}

/** The heartbeat's interval: how soon a process started next to this one is noticed. */
export const BEAT_MS = 2_000;

export async function startPresence(opts: PresenceOptions): Promise<Presence> {
  const id = randomUUID();
  const intervalMs = opts.intervalMs ?? BEAT_MS;
  const staleMs = opts.staleMs ?? intervalMs * 5;
  const aloneAfterMs = opts.aloneAfterMs ?? staleMs * 3;
  const clock = opts.clock ?? (() => new Date());
  const startedAt = clock();
  let isShared = opts.mode === true;
  let count = 0;
  let lastSeenOther = 0;

  async function beatOnce(): Promise<void> {
    const now = clock();
    await ProcessBeat.updateOne({ _id: id }, { $set: { beatAt: now }, $setOnInsert: { startedAt } }, { upsert: true });
    count = await ProcessBeat.countDocuments({ _id: { $ne: id }, beatAt: { $gte: new Date(now.getTime() - staleMs) } });
    if (count > 0) lastSeenOther = now.getTime();
    if (opts.mode !== "auto") return;
    const next = count > 0 || (isShared && now.getTime() - lastSeenOther < aloneAfterMs);
    if (next !== isShared) {
      isShared = next;
      opts.onChange?.(isShared, count);
    }
  }

  await beatOnce().catch((err: unknown) => opts.onError?.(err));
  let timer: NodeJS.Timeout | undefined;
  if (opts.timer !== false) {
    timer = setInterval(() => void beatOnce().catch((err: unknown) => opts.onError?.(err)), intervalMs);
    timer.unref();
  }
  return {
    shared: () => isShared,
    others: () => count,
    beatOnce,
    async stop() {
      if (timer) clearInterval(timer);
      await ProcessBeat.deleteOne({ _id: id }).catch((err: unknown) => opts.onError?.(err));
    },
  };
}

/**
 * Scheduled jobs: a daily slot per job at a time of day (WITA), on working days only when the job
 * says so, run at most once per slot by all bot processes on one database together.
 *
 * - The claim is the insert of a `jobruns` document with the unique key (job, slot): whoever inserts
 *   first runs the slot; the others get a duplicate key and skip it.
 * - Each tick looks only at the latest slot that is due (today's, once its time has passed). A slot
 *   missed while no process was running is run by the first tick after start-up, once, if it is
 *   still its day; yesterday's missed slot is not run today (the jobs report the state of now, so
 *   today's slot covers it): no flood after a long outage, and nothing is sent on a day off.
 * - A run that died half-way (the process stopped) keeps its claim until its lease expires; then the
 *   next tick runs the slot again. Jobs must therefore be idempotent per slot (dedupe keys made of
 *   the slot, marks on the requests).
 *
 * Adding a job: write a ScheduledJob ({ name, at, workingDaysOnly, run }) and add it to the list
 * the scheduler is created with (sla-jobs.ts `slaJobs`, main.ts).
 */
import os from "node:os";
import { JobRun } from "../db/models/job-run";
import { isDuplicateKeyError } from "../db/errors";
import { loadCalendar } from "./holidays";
import { isWorkingDay, witaDay, type Calendar } from "./working-days";
import type { Logger } from "../logger";

export interface JobContext {
  /** The slot's key: the WITA day it belongs to ("YYYY-MM-DD"). */
  slot: string;
  /** When the slot was due. */
  dueAt: Date;
  /** Now, by the injected clock. */
  now: Date;
  calendar: Calendar;
  logger: Pick<Logger, "info" | "warn" | "error">;
}

export interface ScheduledJob {
  name: string;
  /** Time of day in WITA, "HH:MM". */
  at: string;
  /** Never runs on weekends and holidays. */
  workingDaysOnly: boolean;
  /** Does the slot's work; returns counts for the jobruns record. Must be idempotent per slot. */
  run(ctx: JobContext): Promise<Record<string, number>>;
}

/** How long a claimed run may take before another tick may take it over. */
export const JOB_LEASE_MS = 10 * 60_000;
/** A slot whose run failed this many times is left alone (logged), so a broken job cannot loop. */
export const JOB_MAX_ATTEMPTS = 3;

/** The instant of "HH:MM" WITA on a WITA day. */
export function slotTime(day: string, at: string): Date {
  return new Date(Date.parse(`${day}T${at}:00.000+08:00`));
}

/** Today's slot of a job, if it is due at `now` (its time has passed and the day allows it). */
export function dueSlot(job: Pick<ScheduledJob, "at" | "workingDaysOnly">, now: Date, calendar: Calendar): { slot: string; dueAt: Date } | null {
  const day = witaDay(now);
  const dueAt = slotTime(day, job.at);
  if (now.getTime() < dueAt.getTime()) return null;
  if (job.workingDaysOnly && !isWorkingDay(day, calendar)) return null;
  return { slot: day, dueAt };
}

export type SlotOutcome = "ran" | "taken" | "failed" | "not_due" | "gave_up";

/** Claims a slot: a new run, a run whose lease expired, or null (someone else has it or it is done). */
async function claim(job: string, slot: string, dueAt: Date, now: Date, runner: string): Promise<{ attempts: number } | null | "gave_up"> {
  const leaseUntil = new Date(now.getTime() + JOB_LEASE_MS);
  try {
    await JobRun.create({ job, slot, dueAt, startedAt: now, leaseUntil, attempts: 1, runner });
    return { attempts: 1 };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const existing = await JobRun.findOne({ job, slot }).lean();
  if (!existing || existing.finishedAt || existing.leaseUntil.getTime() > now.getTime()) return null;
  if ((existing.attempts ?? 1) >= JOB_MAX_ATTEMPTS) return "gave_up";
  // Take over a run that died: conditional on the lease we saw (another process may take it first).
  const res = await JobRun.updateOne(
    { _id: existing._id, finishedAt: null, leaseUntil: existing.leaseUntil },
    { $set: { leaseUntil, startedAt: now, runner, error: null }, $inc: { attempts: 1 } },
  );
  return res.modifiedCount === 1 ? { attempts: (existing.attempts ?? 1) + 1 } : null;
}

export interface SchedulerDeps {
  clock: () => Date;
  logger: Logger;
  /** How often the scheduler looks at the clock (ms); a slot runs within this after its time. */
  tickMs?: number;
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
  /** One look at every job (tests call this directly with the clock where they want it). */
  tick(): Promise<Record<string, SlotOutcome>>;
}

/** A name for this process in the jobruns records. */
const RUNNER = `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

export function createScheduler(jobs: ScheduledJob[], deps: SchedulerDeps): Scheduler {
  const log = deps.logger.child({ component: "scheduler" });
  const tickMs = deps.tickMs ?? 30_000;

  async function runJob(job: ScheduledJob, calendar: Calendar): Promise<SlotOutcome> {
    const now = deps.clock();
    const due = dueSlot(job, now, calendar);
    if (!due) return "not_due";
    const claimed = await claim(job.name, due.slot, due.dueAt, now, RUNNER);
    if (claimed === "gave_up") return "gave_up";
    if (!claimed) return "taken";
    try {
      const result = await job.run({ slot: due.slot, dueAt: due.dueAt, now, calendar, logger: log });
      await JobRun.updateOne({ job: job.name, slot: due.slot }, { $set: { finishedAt: deps.clock(), result: JSON.stringify(result) } });
      log.info({ job: job.name, slot: due.slot, late_ms: now.getTime() - due.dueAt.getTime(), ...result }, "scheduled job ran");
      return "ran";
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // The lease ends now: the next tick tries again (up to JOB_MAX_ATTEMPTS).
      await JobRun.updateOne({ job: job.name, slot: due.slot }, { $set: { error: message.slice(0, 500), leaseUntil: deps.clock() } }).catch(() => undefined);
      log.error({ job: job.name, slot: due.slot, attempt: claimed.attempts, err: message }, "scheduled job failed");
      return "failed";
    }
  }

  let chain: Promise<unknown> = Promise.resolve();
  function tick(): Promise<Record<string, SlotOutcome>> {
    const run = chain.then(async () => {
      const calendar = await loadCalendar();
      const outcomes: Record<string, SlotOutcome> = {};
      for (const job of jobs) outcomes[job.name] = await runJob(job, calendar);
      return outcomes;
    });
    chain = run.catch(() => undefined);
    return run;
  }

  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  return {
    start() {
      if (!stopped) return;
      stopped = false;
      // At once (a slot missed while the bot was down), then every tickMs.
      const loop = () => {
        if (stopped) return;
        tick()
          .catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, "scheduler tick failed"))
          .finally(() => {
            if (!stopped) timer = setTimeout(loop, tickMs);
          });
      };
      loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await chain;
    },
    tick,
  };
}

import { Schema, model, type InferSchemaType, Types } from "mongoose";

/**
 * One run of a scheduled job for one slot (e.g. "sla_digest" on "2026-12-07"). The unique index on
 * (job, slot) is the claim: of several bot processes on one database, the one whose insert succeeds
 * runs the slot; the others see the duplicate key and skip it. A run that died half-way (its lease
 * expired before `finishedAt`) is taken over at the next tick: jobs are idempotent per slot.
 */
const jobRunSchema = new Schema(
  {
    job: { type: String, required: true, maxlength: 60 },
    slot: { type: String, required: true, maxlength: 60 },
    /** When the slot was due (e.g. 08:00 WITA that day). */
    dueAt: { type: Date, required: true },
    startedAt: { type: Date, required: true },
    leaseUntil: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    attempts: { type: Number, default: 1 },
    /** Which process ran it (host:pid:random), for the logs. */
    runner: { type: String, default: "" },
    /** What it did, as JSON text (counts of messages queued). */
    result: { type: String, default: null },
    error: { type: String, default: null },
  },
  { versionKey: false },
);
jobRunSchema.index({ job: 1, slot: 1 }, { unique: true });

export type JobRunDoc = InferSchemaType<typeof jobRunSchema> & { _id: Types.ObjectId };
export const JobRun = model("JobRun", jobRunSchema);

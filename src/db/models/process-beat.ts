import { Schema, model } from "mongoose";

/**
 * One document per running bot process, its heartbeat written every few seconds (db/presence.ts):
 * how a process learns that another one serves the same database, so it reads dialogue states
 * fresh by itself (MULTI_PROCESS=auto). Removed on a clean stop; a crashed one simply goes stale.
 */
const processBeatSchema = new Schema(
  {
    _id: { type: String, required: true },
    startedAt: { type: Date, required: true },
    beatAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const ProcessBeat = model("ProcessBeat", processBeatSchema, "processbeats");

import { Schema, model, type InferSchemaType, Types } from "mongoose";
import { watchWrites } from "../write-watch";

/** Where a non-working day comes from (weekends are not stored: they are always off). */
export const HOLIDAY_KINDS = ["nasional", "cuti_bersama", "bali", "lainnya"] as const;
export type HolidayKind = (typeof HOLIDAY_KINDS)[number];

/**
 * A day the office is closed, as a WITA calendar day ("YYYY-MM-DD"). Loaded from data/holidays/*.json
 * by the seed, changed by admins with /libur. A removed day stays as `active: false`, so seeding
 * again does not bring back a day an admin took out.
 */
const holidaySchema = new Schema(
  {
    date: { type: String, required: true, unique: true, match: /^\d{4}-\d{2}-\d{2}$/ },
    name: { type: String, required: true, maxlength: 200 },
    /** The decree or calculation the date comes from (SKB 3 Menteri, SE Gubernur Bali, "perkiraan …", an admin). */
    source: { type: String, required: true, maxlength: 500 },
    kind: { type: String, enum: HOLIDAY_KINDS, required: true },
    active: { type: Boolean, default: true },
    /** The admin who added or removed it last (0: the seed). */
    changedBy: { type: Number, default: 0 },
  },
  { timestamps: true },
);

/** Seen by the calendar cache (domain/holidays.ts): any write through mongoose invalidates it, here at once and in other processes at their next stamp poll. */
export const holidayWrites = watchWrites(holidaySchema, { shared: "holidays" });

export type HolidayDoc = InferSchemaType<typeof holidaySchema> & { _id: Types.ObjectId };
export const Holiday = model("Holiday", holidaySchema);

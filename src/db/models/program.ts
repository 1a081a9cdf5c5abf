import { Schema, model, type Types } from "mongoose";
import { watchWrites } from "../write-watch";
import { PROGRAM_KINDS, PROGRAM_STATUSES, LICENCES } from "../../vocabulary/programs";
import { KECAMATAN } from "../../vocabulary/kecamatan";
import { REQUEST_TYPES } from "../../vocabulary/request-types";

/**
 * A program (domain/programs.ts): one training, aid or mentoring for many members. Who it is for
 * (`audience`: every member, sentras, kecamatan, or the members with open requests of some types),
 * when (one or more sessions, stored in UTC), where, how many seats and until when members may
 * register; the licences it requires. Its participants are `programseats`; the requests it answers
 * are linked by `requestIds`.
 */
const programSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    title: { type: String, required: true },
    kind: { type: String, enum: PROGRAM_KINDS, required: true },
    audience: {
      all: { type: Boolean, default: false },
      sentraIds: { type: [Schema.Types.ObjectId], default: [] },
      kecamatan: { type: [String], enum: KECAMATAN, default: [] },
      requestTypes: { type: [String], enum: REQUEST_TYPES, default: [] },
    },
    sessions: { type: [{ _id: false, startsAt: { type: Date, required: true }, endsAt: { type: Date, default: null } }], default: [] },
    place: { type: String, required: true },
    location: { type: { _id: false, latitude: Number, longitude: Number }, default: null },
    seats: { type: Number, required: true, min: 1 },
    deadline: { type: Date, required: true },
    requires: { type: [String], enum: LICENCES, default: [] },
    /** A member lacking a required licence may still register, as "belum lengkap". */
    allowIncomplete: { type: Boolean, default: false },
    contact: { type: String, default: null },
    status: { type: String, enum: PROGRAM_STATUSES, default: "open" },
    cancelReason: { type: String, default: null },
    requestIds: { type: [Schema.Types.ObjectId], default: [] },
    createdBy: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    /** Every member of the audience has their announcement queued (done after a crash part way by resumeAnnouncements). */
    announcedAt: { type: Date, default: null },
    announced: { type: Number, default: 0 },
  },
  { versionKey: false },
);
programSchema.index({ status: 1, deadline: 1 });

/** Programs are read on every tap and every notice sent: cached (domain/programs.ts), dropped by every write, here and in other processes. */
export const programWrites = watchWrites(programSchema, { shared: "programs" });

/** A program as read with `.lean<ProgramDoc>()`. */
export interface ProgramDoc {
  _id: Types.ObjectId;
  code: string;
  title: string;
  kind: (typeof PROGRAM_KINDS)[number];
  audience?: { all?: boolean; sentraIds?: Types.ObjectId[]; kecamatan?: string[]; requestTypes?: string[] } | null;
  sessions: { startsAt: Date; endsAt?: Date | null }[];
  place: string;
  location?: { latitude?: number | null; longitude?: number | null } | null;
  seats: number;
  deadline: Date;
  requires: string[];
  allowIncomplete?: boolean;
  contact?: string | null;
  status: (typeof PROGRAM_STATUSES)[number];
  cancelReason?: string | null;
  requestIds: Types.ObjectId[];
  createdBy: number;
  createdAt: Date;
  updatedAt: Date;
  announcedAt?: Date | null;
  announced?: number;
}
export const Program = model("Program", programSchema, "programs");

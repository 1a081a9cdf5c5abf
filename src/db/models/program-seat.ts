import { Schema, model, type InferSchemaType } from "mongoose";

/**
 * One registration for a program (domain/program-seats.ts): slot `k` of the program, taken by an
 * insert (`_id` "<programId>#<k>": a unique id has one winner, also on FerretDB v1, where guarded
 * updates may have several). The active registrations in slot order are the participants: the
 * first `seats` of them have a seat, the rest are the waiting list, first come first served; a
 * cancellation frees its place for the next one without moving anyone. `memberKey` is unique, so a
 * member holds one active registration ("<programId>:<telegramId>"; renamed when cancelled).
 */
const programSeatSchema = new Schema(
  {
    _id: { type: String, required: true },
    programId: { type: Schema.Types.ObjectId, required: true },
    k: { type: Number, required: true },
    memberTelegramId: { type: Number, required: true },
    memberKey: { type: String, required: true, unique: true },
    status: { type: String, enum: ["active", "cancelled"], default: "active" },
    /** Registered without a licence the program requires (where it allows that). */
    incomplete: { type: Boolean, default: false },
    attended: { type: Boolean, default: null },
    registeredAt: { type: Date, required: true },
    cancelledAt: { type: Date, default: null },
    /** A chairperson registered the member (who has no phone of their own). */
    by: { type: Number, default: null },
    /** A sentra member without a phone, registered by name by their chairperson (`by`, also `memberTelegramId`). */
    guest: { type: { _id: false, name: { type: String, required: true }, business: { type: String, default: null } }, default: null },
  },
  { versionKey: false },
);
programSeatSchema.index({ programId: 1, k: 1 });
programSeatSchema.index({ memberTelegramId: 1 });

export type ProgramSeatDoc = InferSchemaType<typeof programSeatSchema>;
export const ProgramSeat = model("ProgramSeat", programSeatSchema, "programseats");

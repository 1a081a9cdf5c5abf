import { Schema, model } from "mongoose";

/**
 * A member's application to chair their sentra, waiting for an officer's or admin's Setujui / Tolak.
 * The buttons carry only this document's id; the decision takes (deletes) it, so it acts once, and
 * only while the member is still in `sentraId` and that sentra's chairperson is still `previousChair`.
 */
const chairRequestSchema = new Schema(
  {
    memberId: { type: Schema.Types.ObjectId, ref: "Member", required: true },
    sentraId: { type: Schema.Types.ObjectId, ref: "Sentra", required: true },
    /** The chairperson when the member applied (null: none); approving replaces exactly this one. */
    previousChair: { type: Number, default: null },
  },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
// One application per member, sentra and situation: asking again reuses it (until it is decided).
chairRequestSchema.index({ memberId: 1, sentraId: 1, previousChair: 1 }, { unique: true });

export const ChairRequest = model("ChairRequest", chairRequestSchema);

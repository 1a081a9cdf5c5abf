import { Schema, model } from "mongoose";

/**
 * An admin change waiting for its "Ya, simpan" button. The button carries only this document's id;
 * who may press it (`by`) and what it does (`action`, `payload` as JSON text) stay on the server.
 */
const confirmationSchema = new Schema(
  {
    by: { type: Number, required: true },
    action: { type: String, required: true },
    payload: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
// No TTL index (FerretDB v1 refuses the option): expired ones are deleted by createConfirmation.
confirmationSchema.index({ expiresAt: 1 });

export const Confirmation = model("Confirmation", confirmationSchema);

import { Schema, model } from "mongoose";

/** Admin changes (sentras, officers, chairpersons): who, what, when. Never edited. */
const auditLogSchema = new Schema(
  {
    at: { type: Date, required: true },
    by: { type: Number, required: true },
    action: { type: String, required: true },
    /** What changed, as plain JSON text (no phone numbers). */
    details: { type: String, default: "" },
  },
  { versionKey: false },
);
auditLogSchema.index({ at: -1 });

export const AuditLog = model("AuditLog", auditLogSchema);

import { Schema, model } from "mongoose";

/**
 * A member's photo or voice note received on WhatsApp, copied at once (Meta's download URL lasts
 * minutes): the request or answer refers to it as `wa:<_id>` and the Telegram side uploads it from
 * here to the officers (delivery/stored-media.ts). Bounded in size (domain/stored-media.ts).
 */
const whatsAppMediaSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The member's key (as requests' memberTelegramId): /hapusdata removes their voice notes. */
    memberKey: { type: Number, required: true },
    kind: { type: String, enum: ["photo", "voice"], required: true },
    mime: { type: String, required: true },
    bytes: { type: Buffer, required: true },
    size: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
whatsAppMediaSchema.index({ memberKey: 1 });

export const WhatsAppMedia = model("WhatsAppMedia", whatsAppMediaSchema, "whatsappmedia");

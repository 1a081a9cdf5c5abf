import { Schema, model, type InferSchemaType, Types } from "mongoose";
import { KECAMATAN } from "../../vocabulary/kecamatan";
import { watchWrites } from "../write-watch";
import { LICENCES } from "../../vocabulary/programs";

/**
 * A Telegram user the bot knows. A document exists once the user chose a language or
 * finished onboarding; `registeredAt` marks a registered member (consent given).
 */
const memberSchema = new Schema(
  {
    telegramId: { type: Number, required: true, unique: true },
    locale: { type: String, enum: ["id", "en"] },
    registeredAt: { type: Date },
    consentAt: { type: Date },
    name: { type: String, maxlength: 100 },
    phone: { type: String, maxlength: 20 },
    /**
     * When the phone was verified: shared with Telegram's own-contact button, or the number WhatsApp
     * verified. Unset for a typed number: such a phone links a WhatsApp number only after the person
     * there confirms who they are (whatsapp/link-confirm.ts).
     */
    phoneVerifiedAt: { type: Date, default: null },
    businessName: { type: String, maxlength: 100 },
    products: { type: String, maxlength: 1000 },
    kecamatan: { type: String, enum: [...KECAMATAN, null] },
    sentraId: { type: Schema.Types.ObjectId, ref: "Sentra", default: null },
    /** For members in no sentra: whether they want to join one or form one. */
    sentraWish: { type: String, enum: ["join", "form", "later", null], default: null },
    /** Confirmed by the chairperson of the sentra. */
    sentraVerifiedAt: { type: Date, default: null },
    /**
     * The member on WhatsApp (whatsapp/channel.ts): the number Meta verified (`waId`, digits) and/or
     * the business-scoped user id (`userId`), both kept; when they last wrote (the 24-hour window);
     * when the update template last went to them (one per absence: whatsapp/dispatcher.ts).
     */
    whatsapp: {
      type: new Schema({ waId: String, userId: String, linkedAt: Date, lastInboundAt: Date, templateAt: Date }, { _id: false }),
      default: undefined,
    },
    /**
     * The messenger the member last wrote on: updates about their requests go there (the outbox's
     * `channel`, domain/outbox.ts). Unset: Telegram.
     */
    channel: { type: String, enum: ["telegram", "whatsapp"], default: undefined },
    /**
     * The business's licences, asked once when a program requires one and kept (editable in
     * "Ubah data saya"): per licence "yes" (with its number, if given) or "no" (not yet).
     */
    licences: {
      type: new Schema(
        Object.fromEntries(
          LICENCES.map((l) => [
            l,
            { type: new Schema({ has: { type: String, enum: ["yes", "no"] }, number: { type: String, maxlength: 40 } }, { _id: false }), default: undefined },
          ]),
        ),
        { _id: false },
      ),
      default: undefined,
    },
    /** Set when the member deleted their personal data (/hapusdata). */
    erasedAt: { type: Date },
  },
  { timestamps: true },
);

memberSchema.index({ "whatsapp.waId": 1 }, { sparse: true });
memberSchema.index({ "whatsapp.userId": 1 }, { sparse: true });
memberSchema.index({ phone: 1 }, { sparse: true });

/** Seen by the member read cache (domain/members.ts): a write through mongoose drops that member (or, when it cannot tell whose, every member). */
export const memberWrites = watchWrites(memberSchema, { key: "telegramId", shared: "members" });

export type MemberDoc = InferSchemaType<typeof memberSchema> & { _id: Types.ObjectId };
export const Member = model("Member", memberSchema);

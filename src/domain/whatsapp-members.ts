/**
 * Who writes on WhatsApp. A member is found by the WhatsApp identity already linked (the number or
 * Meta's business-scoped user id, either is enough: Meta may leave the number out for users with a
 * username), else by the verified number against the phone a registered member gave on Telegram:
 * the same person is one member, whose requests show on both channels. Every message also records
 * when the member last wrote (the 24-hour window for free-form messages).
 */
import { Member } from "../db/models/member";
import { normalizeContactPhone } from "./phone";
import { findMemberById, registerMember, type MemberView, type Registration } from "./members";
import { Counter } from "../db/models/counter";
import { whatsappOnlyKey } from "./member-keys";
import type { Locale } from "../config";

export interface WhatsAppSender {
  /** The number, digits only (Meta's `from` / `wa_id`). */
  from?: string;
  userId?: string;
}

export async function findWhatsAppMember(sender: WhatsAppSender, now: Date): Promise<MemberView | null> {
  const ids = [...(sender.from ? [{ "whatsapp.waId": sender.from }] : []), ...(sender.userId ? [{ "whatsapp.userId": sender.userId }] : [])];
  if (ids.length === 0) return null;
  const linked = await Member.findOneAndUpdate(
    { $or: ids, erasedAt: { $exists: false } },
    {
      $set: {
        "whatsapp.lastInboundAt": now,
        channel: "whatsapp",
        ...(sender.from ? { "whatsapp.waId": sender.from } : {}),
        ...(sender.userId ? { "whatsapp.userId": sender.userId } : {}),
      },
    },
    { returnDocument: "after" },
  ).lean();
  if (linked) return findMemberById(String(linked._id));
  const phone = sender.from ? normalizeContactPhone(sender.from) : undefined;
  if (!phone) return null;
  // The same verified number as a registered member's: linked now (the oldest registration if several).
  const byPhone = await Member.findOneAndUpdate(
    { phone, registeredAt: { $exists: true }, erasedAt: { $exists: false }, whatsapp: { $exists: false } },
    { $set: { whatsapp: { waId: sender.from, ...(sender.userId ? { userId: sender.userId } : {}), linkedAt: now, lastInboundAt: now }, channel: "whatsapp" } },
    { sort: { registeredAt: 1 }, returnDocument: "after" },
  ).lean();
  return byPhone ? findMemberById(String(byPhone._id)) : null;
}

/**
 * A member who registers on WhatsApp (registration-machine.ts): keyed by a number from the range
 * Telegram never uses (member-keys.ts), their phone the number Meta verified, their updates on
 * WhatsApp. The same message handled twice registers once (the number is linked by then).
 */
export async function registerWhatsAppMember(sender: { from: string; userId?: string }, data: Omit<Registration, "phone">, now: Date, locale: Locale): Promise<MemberView> {
  const known = await findWhatsAppMember(sender, now);
  if (known?.registered) return known;
  const phone = normalizeContactPhone(sender.from) ?? `+${sender.from}`;
  const key =
    known?.telegramId ?? whatsappOnlyKey((await Counter.findOneAndUpdate({ _id: "whatsapp-member" }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: "after" }).lean())!.seq);
  const view = await registerMember(key, { ...data, phone }, now, locale);
  await Member.updateOne(
    { telegramId: key },
    { $set: { whatsapp: { waId: sender.from, ...(sender.userId ? { userId: sender.userId } : {}), linkedAt: now, lastInboundAt: now }, channel: "whatsapp" } },
  );
  return { ...view, channel: "whatsapp" };
}

/**
 * Media a member sent on a channel that keeps no copy the officers can open (WhatsApp), stored in
 * the database and referred to as `wa:<id>` wherever a Telegram file id would be (a request's
 * attachments, an answer's). Telegram's side uploads the bytes when it sends them.
 */
import { randomBytes } from "node:crypto";
import { WhatsAppMedia } from "../db/models/whatsapp-media";

const PREFIX = "wa:";

/** The largest copy kept: Meta allows images up to 5 MB; a voice note is far below 10 MB (a document must stay under 16 MB). */
export const STORED_MEDIA_MAX = { photo: 5 * 1024 * 1024, voice: 10 * 1024 * 1024 } as const;

export function isStoredMediaRef(ref: unknown): ref is string {
  return typeof ref === "string" && ref.startsWith(PREFIX);
}

export async function storeMedia(m: { memberKey: number; kind: "photo" | "voice"; mime: string; bytes: Uint8Array }, now: Date): Promise<string> {
  if (m.bytes.length > STORED_MEDIA_MAX[m.kind]) throw new RangeError(`a ${m.kind} of ${m.bytes.length} bytes is over the limit`);
  const id = randomBytes(12).toString("hex");
  await WhatsAppMedia.create({ _id: id, memberKey: m.memberKey, kind: m.kind, mime: m.mime, bytes: Buffer.from(m.bytes), size: m.bytes.length, createdAt: now });
  return `${PREFIX}${id}`;
}

export async function loadStoredMedia(ref: string): Promise<{ bytes: Buffer; mime: string; kind: "photo" | "voice" } | null> {
  const doc = await WhatsAppMedia.findById(ref.slice(PREFIX.length)).lean();
  return doc ? { bytes: bytesOf(doc.bytes), mime: doc.mime, kind: doc.kind } : null;
}

/** A stored binary as read back: a Buffer, or the driver's Binary (its `buffer`) from a lean read. */
export function bytesOf(stored: unknown): Buffer {
  if (Buffer.isBuffer(stored)) return stored;
  const inner = (stored as { buffer?: Uint8Array } | null)?.buffer;
  return inner ? Buffer.from(inner) : Buffer.alloc(0);
}

/** /hapusdata: the member's voice notes go (their photos stay with their requests, as on Telegram). */
export async function forgetStoredVoices(memberKey: number): Promise<number> {
  return (await WhatsAppMedia.deleteMany({ memberKey, kind: "voice" })).deletedCount ?? 0;
}

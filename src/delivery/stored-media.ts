/**
 * A Bot API payload whose photo or voice is a stored copy (`wa:<id>`, domain/stored-media.ts: a
 * member's media from WhatsApp) gets the bytes as an upload instead; an album's items likewise.
 * A copy that is gone (erased) is "gone": nothing to send.
 */
import { InputFile } from "grammy";
import { isStoredMediaRef, loadStoredMedia } from "../domain/stored-media";

async function fileOf(ref: string): Promise<InputFile | null> {
  const m = await loadStoredMedia(ref);
  if (!m) return null;
  return new InputFile(m.bytes, m.kind === "photo" ? (m.mime === "image/png" ? "foto.png" : "foto.jpg") : "suara.ogg");
}

export async function withStoredMedia(payload: Record<string, unknown>): Promise<Record<string, unknown> | "gone"> {
  const out = { ...payload };
  for (const field of ["photo", "voice", "audio"] as const) {
    if (!isStoredMediaRef(out[field])) continue;
    const file = await fileOf(out[field] as string);
    if (!file) return "gone";
    out[field] = file;
  }
  if (Array.isArray(out.media)) {
    const items = [];
    for (const item of out.media as Record<string, unknown>[]) {
      if (!isStoredMediaRef(item.media)) {
        items.push(item);
        continue;
      }
      const file = await fileOf(item.media as string);
      if (file) items.push({ ...item, media: file });
    }
    if (items.length === 0) return "gone";
    out.media = items;
  }
  return out;
}

/**
 * A member's photo or voice note on WhatsApp, copied at once: Meta gives a URL for the media id
 * that lasts minutes, downloaded with the token within the size limit and stored
 * (domain/stored-media.ts); the request or answer refers to the copy. Too big, or refused by Meta
 * for good (an expired or unknown id): said so, nothing stored. Meta's trouble (5xx, network):
 * thrown, so the inbox handles the message again.
 */
import { STORED_MEDIA_MAX, storeMedia } from "../domain/stored-media";
import type { MachineInput } from "../domain/request-machine";
import { GraphApiError } from "./classify-failure";
import type { InboundContent } from "./webhook";
import type { WhatsAppClient } from "./client";

type Media = Extract<InboundContent, { type: "image" | "audio" }>;

export async function copyMedia(
  client: Pick<WhatsAppClient, "mediaInfo" | "downloadMedia">,
  content: Media,
  memberKey: number,
  now: Date,
): Promise<Extract<MachineInput, { kind: "photo" | "voice" }> | "too_big" | "refused"> {
  const kind = content.type === "image" ? "photo" : "voice";
  const max = STORED_MEDIA_MAX[kind];
  try {
    const info = await client.mediaInfo(content.mediaId);
    if ((info.file_size ?? 0) > max) return "too_big";
    const bytes = await client.downloadMedia(info.url, max);
    const mime = (info.mime_type ?? content.mime ?? (kind === "photo" ? "image/jpeg" : "audio/ogg")).split(";")[0].trim();
    const ref = await storeMedia({ memberKey, kind, mime, bytes }, now);
    return kind === "photo" ? { kind: "photo", ref, ...(content.type === "image" && content.caption ? { caption: content.caption } : {}) } : { kind: "voice", ref };
  } catch (err) {
    if (err instanceof RangeError) return "too_big";
    if (err instanceof GraphApiError && err.status >= 400 && err.status < 500 && err.status !== 429) return "refused";
    throw err;
  }
}

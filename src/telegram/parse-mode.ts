import type { Transformer } from "grammy";

const TEXT_METHODS = new Set(["sendMessage", "editMessageText"]);
const CAPTION_METHODS = new Set(["sendPhoto", "sendDocument", "sendVoice", "sendVideo", "sendAudio", "editMessageCaption", "copyMessage"]);

/**
 * Every text the bot sends is HTML (locale strings are written in HTML and values are escaped by
 * i18next), so parse_mode is set here once instead of at every call.
 */
export const htmlParseMode: Transformer = (prev, method, payload, signal) => {
  const p = payload as unknown as Record<string, unknown> | undefined;
  if (p && typeof p === "object") {
    if (TEXT_METHODS.has(method) && p.parse_mode === undefined && p.entities === undefined) {
      p.parse_mode = "HTML";
    } else if (CAPTION_METHODS.has(method) && p.caption !== undefined && p.parse_mode === undefined && p.caption_entities === undefined) {
      p.parse_mode = "HTML";
    } else if (method === "sendMediaGroup" && Array.isArray(p.media)) {
      for (const m of p.media as Record<string, unknown>[]) if (m.caption !== undefined && m.parse_mode === undefined) m.parse_mode = "HTML";
    }
  }
  return prev(method, payload, signal);
};

/**
 * Cutting and measuring text the way Telegram and a reader see it: never inside a character made
 * of several UTF-16 units (an emoji, a letter with a combining mark), and for HTML messages by the
 * text shown after the tags and entities are parsed (Telegram's 4096 / 1024 limits count that).
 */
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** The longest start of `text` of at most `max` UTF-16 units that ends between two graphemes. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = "";
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > max) break;
    out += segment;
  }
  return out;
}

/** One line (runs of white space folded), at most `max` units, "…" where it was cut. */
export function clipText(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${cutText(flat, max - 1)}…` : flat;
}

/** HTML made plain (tags dropped, entities read): what Telegram shows of a parsed message. */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** The length Telegram counts for an HTML message or caption. */
export function visibleLength(html: string): number {
  return htmlToPlain(html).length;
}

/** Each grapheme of `text` (for cutting escaped text one visible character at a time). */
export function eachGrapheme(text: string): Iterable<string> {
  return (function* () {
    for (const { segment } of graphemes.segment(text)) yield segment;
  })();
}

/** The text as a RegExp source that matches it literally (user input in a database query). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

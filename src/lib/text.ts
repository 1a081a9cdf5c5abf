/**
 * Cutting and measuring text the way Telegram and a reader see it: never inside a character made
 * of several UTF-16 units (an emoji, a letter with a combining mark), and for HTML messages by the
 * text shown after the tags and entities are parsed (Telegram's 4096 / 1024 limits count that).
 */
import { TELEGRAM_TEXT_MAX } from "./limits";

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

/** A tag, an entity, or one grapheme of text: the pieces an HTML message is cut between. */
function* htmlTokens(html: string): Generator<{ kind: "open" | "close" | "shown"; raw: string; name?: string; shown: number }> {
  const re = /<\/?([a-zA-Z-]+)[^>]*>|&(?:#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/y;
  let i = 0;
  while (i < html.length) {
    re.lastIndex = i;
    const m = re.exec(html);
    if (m) {
      if (m[0].startsWith("<")) yield { kind: m[0][1] === "/" ? "close" : "open", raw: m[0], name: m[1].toLowerCase(), shown: 0 };
      else yield { kind: "shown", raw: m[0], shown: 1 };
      i += m[0].length;
      continue;
    }
    // Text up to the next tag or entity, one grapheme at a time.
    const next = html.slice(i).search(/[<&]/);
    const end = next <= 0 ? (next === 0 ? i + 1 : html.length) : i + next;
    for (const { segment } of graphemes.segment(html.slice(i, end))) yield { kind: "shown", raw: segment, shown: segment.length };
    i = end;
  }
}

/**
 * The start of an HTML message that Telegram shows in at most `max` characters, with "…" where it
 * was cut: never inside a tag, an entity or a grapheme, and the tags left open are closed.
 */
export function cutHtml(html: string, max: number): string {
  if (visibleLength(html) <= max) return html;
  let out = "";
  let shown = 0;
  const open: string[] = [];
  for (const tok of htmlTokens(html)) {
    if (tok.kind === "shown" && shown + tok.shown > max - 1) break;
    out += tok.raw;
    shown += tok.shown;
    if (tok.kind === "open") open.push(tok.name!);
    else if (tok.kind === "close") open.pop();
  }
  return `${out}…${open
    .reverse()
    .map((name) => `</${name}>`)
    .join("")}`;
}

/**
 * An HTML text as several messages of at most `max` shown characters, nothing lost: each piece is
 * whole HTML (tags open at a break are closed there and opened again in the next piece), broken at
 * a line break where one is in the second half of the piece, else between two characters.
 */
export function splitHtml(html: string, max = TELEGRAM_TEXT_MAX): string[] {
  type Open = { name: string; raw: string };
  const close = (open: Open[]) =>
    [...open]
      .reverse()
      .map((o) => `</${o.name}>`)
      .join("");
  const reopen = (open: Open[]) => open.map((o) => o.raw).join("");
  const pieces: string[] = [];
  let out = "";
  let shown = 0;
  let open: Open[] = [];
  let lineBreak: { at: number; shown: number; open: Open[] } | null = null;
  for (const tok of htmlTokens(html)) {
    if (tok.kind === "shown" && shown + tok.shown > max) {
      if (lineBreak && lineBreak.shown > max / 2) {
        const rest = out.slice(lineBreak.at + 1);
        pieces.push(out.slice(0, lineBreak.at) + close(lineBreak.open));
        out = reopen(lineBreak.open) + rest;
        shown -= lineBreak.shown + 1;
      } else {
        pieces.push(out + close(open));
        out = reopen(open);
        shown = 0;
      }
      lineBreak = null;
    }
    if (tok.raw === "\n") lineBreak = { at: out.length, shown, open: [...open] };
    out += tok.raw;
    shown += tok.shown;
    if (tok.kind === "open") open.push({ name: tok.name!, raw: tok.raw });
    else if (tok.kind === "close") open = open.slice(0, -1);
  }
  pieces.push(out + close(open));
  return pieces.filter((p) => htmlToPlain(p).trim() !== "");
}

/**
 * `head` and then the lines (each whole HTML), as few messages as fit Telegram's limit counted as
 * Telegram counts (after parsing): a line is never split unless it is longer than a message alone
 * (then splitHtml). No message starts with a blank line or is empty.
 */
export function linesToMessages(head: string, lines: string[], max = TELEGRAM_TEXT_MAX): string[] {
  const messages: string[] = [];
  for (const line of [head, ...lines]) {
    const last = messages.at(-1);
    if (last !== undefined && visibleLength(last) + 1 + visibleLength(line) <= max) messages[messages.length - 1] = `${last}\n${line}`;
    else if (visibleLength(line) <= max) messages.push(line);
    else messages.push(...splitHtml(line, max));
  }
  return messages.map((m) => m.replace(/^\n+|\n+$/g, "")).filter((m) => htmlToPlain(m).trim() !== "");
}

/** Paragraphs (each whole HTML) joined by blank lines into as few messages as fit, like linesToMessages. */
export function blocksToMessages(blocks: string[], max = TELEGRAM_TEXT_MAX): string[] {
  return linesToMessages(
    "",
    blocks.filter((b) => b.trim() !== "").flatMap((b, i) => (i ? ["", b] : [b])),
    max,
  );
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

/**
 * What Telegram refuses in a message's text, checked strictly (stricter than Telegram where
 * Telegram is lenient: a bare "&" is refused here, so escaping is never left to luck). The fake Bot
 * API answers such a call with a 400, as Telegram does, so every test sees a malformed or too long
 * message as a failed send.
 *
 * HTML style (core.telegram.org/bots/api#html-style): the tags b strong i em u ins s strike del a
 * code pre blockquote tg-spoiler tg-emoji span (class="tg-spoiler"), each closed in order; the
 * entities &lt; &gt; &amp; &quot; and numeric ones. Limits count the text after parsing.
 */
export const TEXT_MAX = 4096;
export const CAPTION_MAX = 1024;

const TAGS = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote", "tg-spoiler", "tg-emoji", "span"]);
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

export type Parsed = { ok: true; text: string } | { ok: false; error: string };

/** The text Telegram would show for `html`, or why it refuses it. */
export function parseTelegramHtml(html: string): Parsed {
  let text = "";
  const open: string[] = [];
  let i = 0;
  while (i < html.length) {
    const c = html[i];
    if (c === "<") {
      const end = html.indexOf(">", i);
      if (end < 0) return { ok: false, error: `unclosed "<" at byte offset ${i}` };
      const inner = html.slice(i + 1, end);
      const closing = /^\/([a-z-]+)\s*$/i.exec(inner);
      if (closing) {
        const name = closing[1].toLowerCase();
        if (open.at(-1) !== name) return { ok: false, error: `Unmatched end tag at byte offset ${i}, expected "</${open.at(-1) ?? ""}>", found "</${name}>"` };
        open.pop();
      } else {
        const start = /^([a-z-]+)((?:\s+[a-z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*$/i.exec(inner);
        if (!start || !TAGS.has(start[1].toLowerCase())) return { ok: false, error: `Unsupported start tag "${inner.split(/\s/)[0]}" at byte offset ${i}` };
        const name = start[1].toLowerCase();
        if (name === "span" && !/class\s*=\s*["']?tg-spoiler/.test(start[2])) return { ok: false, error: `Tag "span" must have class "tg-spoiler" at byte offset ${i}` };
        if (name === "a" && !/href\s*=/.test(start[2])) return { ok: false, error: `Tag "a" without href at byte offset ${i}` };
        const bad = checkEntities(start[2]);
        if (bad) return { ok: false, error: `${bad} in an attribute at byte offset ${i}` };
        open.push(name);
      }
      i = end + 1;
    } else if (c === "&") {
      const m = /^&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/i.exec(html.slice(i, i + 12));
      if (!m) return { ok: false, error: `bare "&" at byte offset ${i}` };
      const body = m[1];
      if (body.startsWith("#")) {
        const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : Number(body.slice(1));
        if (code > 0x10ffff || code === 0) return { ok: false, error: `bad character reference "${m[0]}" at byte offset ${i}` };
        text += String.fromCodePoint(code);
      } else {
        const value = NAMED[body.toLowerCase()];
        if (value === undefined) return { ok: false, error: `Unsupported HTML entity "${m[0]}" at byte offset ${i}` };
        text += value;
      }
      i += m[0].length;
    } else if (c === ">") {
      // Telegram takes a bare ">" as text; escapeHtml writes &gt; anyway.
      text += c;
      i++;
    } else {
      text += c;
      i++;
    }
  }
  if (open.length) return { ok: false, error: `Can't find end tag corresponding to start tag "${open.at(-1)}"` };
  return { ok: true, text };
}

function checkEntities(attrs: string): string | null {
  for (const m of attrs.matchAll(/&([^;\s]*);?/g)) {
    if (!/^(#x[0-9a-f]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot)$/i.test(m[1]) || !m[0].endsWith(";")) return `bad entity "${m[0]}"`;
  }
  return null;
}

/**
 * Why Telegram would answer 400 to a text or caption (`field`) sent with this `parse_mode`, or null.
 * `max`: 4096 for a text, 1024 for a caption.
 */
export function telegramTextProblem(value: unknown, parseMode: unknown, kind: "text" | "caption"): string | null {
  if (value === undefined && kind === "caption") return null;
  if (typeof value !== "string") return `message ${kind} is not a string`;
  let shown = value;
  if (parseMode === "HTML") {
    const parsed = parseTelegramHtml(value);
    if (!parsed.ok) return `can't parse entities: ${parsed.error}`;
    shown = parsed.text;
  } else if (parseMode !== undefined) return `unsupported parse_mode ${String(parseMode)} in these tests`;
  if (kind === "text" && shown.trim() === "") return "message text is empty";
  const max = kind === "text" ? TEXT_MAX : CAPTION_MAX;
  if (shown.length > max) return kind === "text" ? "message is too long" : "message caption is too long";
  return null;
}

/** Why Telegram would refuse this call's text or captions, or null (methods without text: null). */
export function callTextProblem(method: string, payload: Record<string, unknown>): string | null {
  switch (method) {
    case "sendMessage":
    case "editMessageText":
      return telegramTextProblem(payload.text, payload.parse_mode, "text");
    case "sendPhoto":
    case "sendVoice":
    case "sendDocument":
    case "sendVideo":
    case "sendAudio":
    case "editMessageCaption":
      return telegramTextProblem(payload.caption, payload.parse_mode, "caption");
    case "sendMediaGroup":
      for (const m of (payload.media as Record<string, unknown>[] | undefined) ?? []) {
        const problem = telegramTextProblem(m.caption, m.parse_mode, "caption");
        if (problem) return problem;
      }
      return null;
    default:
      return null;
  }
}

/** What a reader sees of a call's text (after parsing), for checking that an answer is there. */
export function shownText(payload: Record<string, unknown>): string {
  const value = String(payload.text ?? payload.caption ?? "");
  if (payload.parse_mode !== "HTML") return value;
  const parsed = parseTelegramHtml(value);
  return parsed.ok ? parsed.text : value;
}

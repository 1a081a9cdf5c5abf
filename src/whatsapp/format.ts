/**
 * The locale texts (written for Telegram's HTML parse mode) rendered for WhatsApp, and a choice
 * question laid out within WhatsApp's limits. Pure functions: no tag or entity ever reaches a member,
 * and no option is ever cut silently.
 */

/** Meta's limits for interactive messages (the fake Graph API refuses beyond them, as Meta does). */
export const WA_LIMITS = {
  buttons: 3,
  buttonTitle: 20,
  listRows: 10,
  rowTitle: 24,
  rowDescription: 72,
  listButton: 20,
  interactiveBody: 1024,
  text: 4096,
} as const;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const n = name[1].toLowerCase() === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

const MARKS: Record<string, string> = {
  b: "*",
  strong: "*",
  i: "_",
  em: "_",
  s: "~",
  strike: "~",
  del: "~",
  code: "```",
  pre: "```",
};

/**
 * Telegram HTML → WhatsApp markup: <b> *bold*, <i> _italic_, <s> ~strike~, <code>/<pre> ```mono```,
 * <a href> "text (url)" (or the url alone when the text is the url); any other tag dropped, entities decoded.
 * A mark around blank content is left out (WhatsApp would show the bare asterisks).
 */
export function htmlToWhatsApp(html: string): string {
  let out = "";
  const stack: { mark: string; start: number; href?: string }[] = [];
  const re = /<(\/?)([a-z]+)([^>]*)>/gi;
  let last = 0;
  for (let m = re.exec(html); m !== null; m = re.exec(html)) {
    out += decodeEntities(html.slice(last, m.index));
    last = re.lastIndex;
    const closing = m[1] === "/";
    const tag = m[2].toLowerCase();
    if (tag === "br") {
      out += "\n";
      continue;
    }
    const mark = tag === "a" ? "" : MARKS[tag];
    if (mark === undefined) continue;
    if (!closing) {
      const href = tag === "a" ? /href\s*=\s*"([^"]*)"/i.exec(m[3])?.[1] : undefined;
      stack.push({ mark, start: out.length, href: href === undefined ? undefined : decodeEntities(href) });
      continue;
    }
    const open = stack.pop();
    if (!open) continue;
    const inner = out.slice(open.start);
    if (open.href !== undefined) {
      out = out.slice(0, open.start) + (inner.trim() === "" || inner === open.href ? open.href : `${inner} (${open.href})`);
    } else if (inner.trim() !== "") {
      // WhatsApp needs the mark next to the words: keep surrounding spaces outside it.
      const lead = /^\s*/.exec(inner)![0];
      const trail = /\s*$/.exec(inner)![0];
      out = `${out.slice(0, open.start)}${lead}${open.mark}${inner.trim()}${open.mark}${trail}`;
    }
  }
  out += decodeEntities(html.slice(last));
  return out;
}

export interface ChoiceOption {
  /** What comes back when the member picks it (button / row id). */
  id: string;
  title: string;
  description?: string;
}

export type ChoiceLayout =
  | { kind: "buttons"; buttons: { id: string; title: string }[] }
  | { kind: "list"; rows: { id: string; title: string; description?: string }[] }
  /** Too many or too long for a list: the body lists them numbered, the member types the number or the word. */
  | { kind: "numbered"; lines: string[] };

const length = (s: string): number => [...s].length;

/**
 * A choice question laid out within Meta's limits: reply buttons when ≤ 3 options whose titles fit 20,
 * a list when ≤ 10 whose titles fit 24 and descriptions fit 72, otherwise numbered lines the member
 * answers by typing — never a cut title or a dropped option.
 */
export function layoutChoice(options: readonly ChoiceOption[]): ChoiceLayout {
  const titlesFit = (max: number): boolean => options.every((o) => length(o.title) >= 1 && length(o.title) <= max);
  if (options.length >= 1 && options.length <= WA_LIMITS.buttons && titlesFit(WA_LIMITS.buttonTitle) && options.every((o) => !o.description)) {
    return { kind: "buttons", buttons: options.map((o) => ({ id: o.id, title: o.title })) };
  }
  if (
    options.length >= 1 &&
    options.length <= WA_LIMITS.listRows &&
    titlesFit(WA_LIMITS.rowTitle) &&
    options.every((o) => !o.description || length(o.description) <= WA_LIMITS.rowDescription)
  ) {
    return { kind: "list", rows: options.map((o) => (o.description ? { ...o } : { id: o.id, title: o.title })) };
  }
  return {
    kind: "numbered",
    lines: options.map((o, i) => `${i + 1}. ${o.title}${o.description ? ` (${o.description})` : ""}`),
  };
}

/** A template body parameter as Meta takes it: one line, no tab, never more than four spaces in a row. */
export function templateParameter(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, " ")
    .replace(/ {5,}/g, "    ")
    .trim();
}

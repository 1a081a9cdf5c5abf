/**
 * A channel-neutral message (domain/request-machine.ts's `MachineOutput`: the locale's HTML and the
 * question's choices) as WhatsApp messages within Meta's limits: plain text, reply buttons, a list,
 * or numbered lines to answer by typing (format.ts decides). A body too long for an interactive
 * message goes first as text, the choices after it under a short line.
 */
import type { MachineOutput } from "../domain/request-machine";
import { htmlToWhatsApp, layoutChoice, WA_LIMITS } from "./format";

type Translate = (key: string, vars?: Record<string, unknown>) => string;

export type OutgoingMessage =
  | { type: "text"; body: string }
  | { type: "buttons"; body: string; buttons: { id: string; title: string }[] }
  | { type: "list"; body: string; button: string; rows: { id: string; title: string; description?: string }[] };

const length = (s: string) => [...s].length;

/** Splits text at line breaks (or spaces) into pieces of at most `max` characters. */
export function splitText(text: string, max: number = WA_LIMITS.text): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (length(rest) > max) {
    const chars = [...rest];
    const window = chars.slice(0, max).join("");
    const cut = Math.max(window.lastIndexOf("\n"), window.lastIndexOf(" "));
    const at = cut > max / 2 ? cut : max;
    pieces.push(chars.slice(0, at).join("").trimEnd());
    rest = chars.slice(at).join("").trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

export function renderForWhatsApp(out: MachineOutput, t: Translate): OutgoingMessage[] {
  const body = htmlToWhatsApp(out.text);
  if (!out.choices?.length) return splitText(body).map((b) => ({ type: "text", body: b }));
  const layout = layoutChoice(out.choices.map((c) => ({ id: c.id, title: htmlToWhatsApp(c.label) })));
  if (layout.kind === "numbered") {
    return splitText(`${body}\n\n${layout.lines.join("\n")}\n\n${t("whatsapp.type_number")}`).map((b) => ({ type: "text", body: b }));
  }
  const fits = length(body) <= WA_LIMITS.interactiveBody;
  const lead: OutgoingMessage[] = fits ? [] : splitText(body).map((b) => ({ type: "text", body: b }));
  const shown = fits ? body : t("whatsapp.choose");
  if (layout.kind === "buttons") return [...lead, { type: "buttons", body: shown, buttons: layout.buttons }];
  return [...lead, { type: "list", body: shown, button: t("whatsapp.list_button"), rows: layout.rows }];
}

/**
 * Every question of every request dialogue (domain/request-machine.ts) rendered for WhatsApp
 * (whatsapp/render.ts) fits Meta's limits, shows no HTML tag or entity, and keeps every choice:
 * as a button, a list row, or a numbered line.
 */
import { tFor } from "../src/i18n";
import { REQUEST_TYPES } from "../src/vocabulary/request-types";
import { REQUEST_DEFINITIONS } from "../src/domain/request-definitions";
import { question, type MachineOutput, type MachineState } from "../src/domain/request-machine";
import { renderForWhatsApp, splitText, type OutgoingMessage } from "../src/whatsapp/render";
import { WA_LIMITS } from "../src/whatsapp/format";

const len = (s: string) => [...s].length;

function checkWithinLimits(messages: OutgoingMessage[]) {
  for (const m of messages) {
    expect(m.body).not.toMatch(/<\/?[a-z]+[^>]*>|&(amp|lt|gt|quot|#\d+);/i);
    if (m.type === "text") expect(len(m.body)).toBeLessThanOrEqual(WA_LIMITS.text);
    else expect(len(m.body)).toBeLessThanOrEqual(WA_LIMITS.interactiveBody);
    if (m.type === "buttons") {
      expect(m.buttons.length).toBeLessThanOrEqual(WA_LIMITS.buttons);
      for (const b of m.buttons) expect(len(b.title)).toBeLessThanOrEqual(WA_LIMITS.buttonTitle);
    }
    if (m.type === "list") {
      expect(m.rows.length).toBeLessThanOrEqual(WA_LIMITS.listRows);
      expect(len(m.button)).toBeLessThanOrEqual(WA_LIMITS.listButton);
      for (const r of m.rows) expect(len(r.title)).toBeLessThanOrEqual(WA_LIMITS.rowTitle);
    }
  }
}

/** How many of the output's choices the messages offer (buttons, rows, or numbered lines). */
function offered(messages: OutgoingMessage[]): number {
  return messages.reduce((n, m) => n + (m.type === "buttons" ? m.buttons.length : m.type === "list" ? m.rows.length : (m.body.match(/^\d+\. /gm) ?? []).length), 0);
}

for (const locale of ["id", "en"] as const) {
  test(`${locale}: every question of every request type within Meta's limits, every choice kept`, () => {
    const t = tFor(locale) as unknown as (k: string, v?: Record<string, unknown>) => string;
    const outputs: MachineOutput[] = [];
    for (const type of REQUEST_TYPES) {
      const def = REQUEST_DEFINITIONS[type];
      for (const [step] of def.steps.entries()) {
        for (const products of ["", "Keripik pisang", "Keripik pisang, Rengginang, Pia, Kacang disko, Jaja bali"]) {
          const state: MachineState = { type, step, sub: "main", editing: false, answers: {}, attachments: [] };
          outputs.push(question(state, t, { products }));
        }
      }
      outputs.push(question({ type, step: 0, sub: "edit_which", editing: false, answers: {}, attachments: [] }, t, {}));
    }
    expect(outputs.length).toBeGreaterThan(40);
    for (const out of outputs) {
      const messages = renderForWhatsApp(out, t);
      checkWithinLimits(messages);
      expect(offered(messages)).toBe(out.choices?.length ?? 0);
    }
  });
}

test("a long body goes first as text, the buttons after it; text over 4096 characters is split at a line break", () => {
  const t = tFor("id") as unknown as (k: string, v?: Record<string, unknown>) => string;
  const long = Array.from({ length: 60 }, (_, i) => `<b>Baris ${i}</b> &amp; keterangan yang agak panjang`).join("\n");
  const messages = renderForWhatsApp({ text: long, choices: [{ id: "send", label: "📨 Kirim" }] }, t);
  expect(messages.map((m) => m.type)).toEqual(["text", "text", "buttons"].slice(3 - messages.length));
  expect(messages.at(-1)).toMatchObject({ type: "buttons", body: t("whatsapp.choose") });
  checkWithinLimits(messages);
  const pieces = splitText("a".repeat(3000) + "\n" + "b".repeat(3000));
  expect(pieces).toEqual(["a".repeat(3000), "b".repeat(3000)]);
});

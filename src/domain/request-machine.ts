/**
 * The request dialogue as a pure state machine over src/domain/request-definitions.ts, for a channel
 * that keeps no running dialogue between messages (WhatsApp: each message reads the stored state,
 * calls `advance`, stores the new state and sends what it returns). The same definitions, the same
 * checks (`checkTyped`, `parseNumber`) and the same locale texts as the Telegram dialogue; no
 * channel here: a question comes out as text plus its choices, and the channel lays them out
 * (buttons, a list, or numbers to type).
 */
import type { RequestType } from "../vocabulary/request-types";
import { checkTyped, typedChoice } from "./typed-answers";
export { checkTyped, typedChoice };
import type { AnswerValue } from "./requests";
import {
  REQUEST_DEFINITIONS,
  TEXT_MAX,
  PRODUCT_MAX,
  PHOTOS_MAX,
  detailKey,
  parseNumber,
  formatNumber,
  productChoices,
  describeAnswers,
  type StepDefinition,
  type Translate,
} from "./request-definitions";

/** A media attachment by the channel's reference (WhatsApp: the copy's id), to be filed with the request. */
export interface MachineAttachment {
  kind: "photo" | "voice";
  field: string;
  ref: string;
  caption?: string;
  duration?: number;
}

export interface MachineState {
  type: RequestType;
  /** Index of the step asked (def.steps), or -1 at the summary. */
  step: number;
  /** What is asked at that step: the step itself, its option's detail, a typed product, or which step to change. */
  sub: "main" | "detail" | "product_name" | "edit_which";
  /** Came here from *Ubah*: back to the summary after this step. */
  editing: boolean;
  answers: Record<string, AnswerValue>;
  attachments: MachineAttachment[];
  /** Choices picked so far at a multi step. */
  picked?: string[];
}

export type MachineInput =
  | { kind: "text"; text: string }
  | { kind: "choice"; id: string }
  | { kind: "photo"; ref: string; caption?: string }
  | { kind: "voice"; ref: string; duration?: number }
  | { kind: "other" };

/** A message for the member: text (the locale's HTML) and, for a question, its choices by id. */
export interface MachineOutput {
  text: string;
  choices?: { id: string; label: string }[];
}

export type MachineResult = { state: MachineState; out: MachineOutput[] } | { done: "send"; state: MachineState; out: MachineOutput[] } | { done: "cancel"; out: MachineOutput[] };

/** What the machine knows of the member: their registered products (choices of the product step). */
export interface MachineMember {
  products?: string;
}

export const CHOICE = { skip: "skip", done: "done", send: "send", edit: "edit", cancel: "cancel", back: "back", other: "other" } as const;
const opt = (i: number) => `o${i}`;

function options(s: StepDefinition, t: Translate, member: MachineMember): { id: string; value: string; label: string }[] {
  if (s.optionsFrom === "products") {
    return [...productChoices(member.products).map((p, i) => ({ id: opt(i), value: p, label: p })), { id: CHOICE.other, value: CHOICE.other, label: t("request.other_product") }];
  }
  return (s.options ?? []).map((o, i) => ({ id: opt(i), value: o.value, label: t(o.label) }));
}

/** The question of the state's step, with its choices. */
export function question(state: MachineState, t: Translate, member: MachineMember): MachineOutput {
  const def = REQUEST_DEFINITIONS[state.type];
  if (state.step < 0) return summary(state, t);
  const s = def.steps[state.step];
  if (state.sub === "edit_which")
    return { text: t("request.edit_which"), choices: [...def.steps.map((x, i) => ({ id: `s${i}`, label: t(x.label) })), { id: CHOICE.back, label: t("request.edit_back") }] };
  if (state.sub === "detail") return { text: t(s.options?.find((o) => o.value === state.answers[s.key])?.detail?.prompt ?? "request.ask_detail") };
  if (state.sub === "product_name") return { text: t("request.ask_product_name") };
  const skip = s.optional ? [{ id: CHOICE.skip, label: t("dialog.skip") }] : [];
  switch (s.kind) {
    case "choice":
      if (s.optionsFrom === "products" && productChoices(member.products).length === 0) return { text: t(s.prompt) };
      return { text: t(s.prompt), choices: options(s, t, member).map(({ id, label }) => ({ id, label })) };
    case "multi": {
      const picked = new Set(state.picked ?? []);
      return {
        text: t(s.prompt),
        choices: [...options(s, t, member).map(({ id, value, label }) => ({ id, label: picked.has(value) ? `✅ ${label}` : label })), { id: CHOICE.done, label: t("dialog.done") }],
      };
    }
    case "yesno":
      return {
        text: t(s.prompt),
        choices: [
          { id: "yes", label: t("dialog.yes") },
          { id: "no", label: t("dialog.no") },
        ],
      };
    case "photos": {
      const count = state.attachments.filter((a) => a.field === s.key).length;
      return { text: t(s.prompt), choices: count ? [{ id: CHOICE.done, label: t("dialog.photos_finish", { count }) }] : skip };
    }
    default:
      return skip.length ? { text: t(s.prompt), choices: skip } : { text: t(s.prompt) };
  }
}

function summary(state: MachineState, t: Translate): MachineOutput {
  const def = REQUEST_DEFINITIONS[state.type];
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const lines = describeAnswers(
    def,
    state.answers,
    state.attachments.map((a) => ({ kind: a.kind, field: a.field, ...(a.duration ? { duration: a.duration } : {}), ...(a.caption ? { caption: a.caption } : {}) })),
    t,
  )
    .map((l) => `<b>${esc(l.label)}:</b> ${esc(l.value)}`)
    .join("\n");
  return {
    text: t("request.summary", { type: t(`labels.type.${state.type}`), lines }),
    choices: [
      { id: CHOICE.send, label: t("request.send") },
      { id: CHOICE.edit, label: t("request.edit") },
      { id: CHOICE.cancel, label: t("request.cancel") },
    ],
  };
}

/** The first question of a new request. */
export function startRequest(type: RequestType, t: Translate, member: MachineMember): { state: MachineState; out: MachineOutput[] } {
  const state = enterStep({ type, step: 0, sub: "main", editing: false, answers: {}, attachments: [] }, 0, member);
  return { state, out: [{ text: t("request.intro", { type: t(`labels.type.${type}`) }) }, question(state, t, member)] };
}

/** Moves to step `i` (a member with one product is not asked for it on the first pass). */
function enterStep(state: MachineState, i: number, member: MachineMember): MachineState {
  const def = REQUEST_DEFINITIONS[state.type];
  for (let k = i; k < def.steps.length; k++) {
    const s = def.steps[k];
    const products = productChoices(member.products);
    if (!state.editing && s.optionsFrom === "products" && products.length === 1) {
      state = { ...state, answers: { ...state.answers, [s.key]: products[0] } };
      continue;
    }
    return { ...state, step: k, sub: "main", picked: undefined };
  }
  return { ...state, step: -1, sub: "main", editing: false, picked: undefined };
}

/** After a step's answer: the next step, or back to the summary when changing one. */
function next(state: MachineState, member: MachineMember): MachineState {
  if (state.editing) return { ...state, step: -1, sub: "main", editing: false, picked: undefined };
  return enterStep(state, state.step + 1, member);
}

function wrongKind(t: Translate, s: StepDefinition | undefined, input: MachineInput): string {
  const expected =
    !s || s.kind === "choice" || s.kind === "yesno"
      ? "choice"
      : s.kind === "multi"
        ? "multi"
        : s.kind === "photos"
          ? "photo"
          : s.kind === "number"
            ? "number"
            : s.kind === "text-or-voice"
              ? "voice"
              : "text";
  if (input.kind === "choice") return t("dialog.stale_button");
  return t(`dialog.expect_${expected}`);
}

/** The member's next message: the new state and what to send, or the request to file / dropped. */
export function advance(prev: MachineState, input: MachineInput, t: Translate, member: MachineMember): MachineResult {
  const state: MachineState = { ...prev, answers: { ...prev.answers }, attachments: [...prev.attachments] };
  const def = REQUEST_DEFINITIONS[state.type];
  const again = (error?: string, s: MachineState = prev): MachineResult => ({ state: s, out: [...(error ? [{ text: error }] : []), question(s, t, member)] });
  const ask = (s: MachineState): MachineResult => ({ state: s, out: [question(s, t, member)] });
  const asked = question(prev, t, member);
  const choiceOf = (): string | undefined => {
    if (input.kind === "choice") return asked.choices?.some((c) => c.id === input.id) ? input.id : undefined;
    if (input.kind === "text" && asked.choices) return typedChoice(asked.choices, input.text);
    return undefined;
  };

  // The summary, and which part to change.
  if (state.step < 0 || state.sub === "edit_which") {
    const id = choiceOf();
    if (!id) return again(wrongKind(t, undefined, input));
    if (state.sub === "edit_which") {
      if (id === CHOICE.back) return ask({ ...state, step: -1, sub: "main" });
      const i = Number(id.slice(1));
      return ask({ ...state, step: i, sub: "main", editing: true, picked: undefined });
    }
    if (id === CHOICE.send) return { done: "send", state, out: [] };
    if (id === CHOICE.cancel)
      return {
        done: "cancel",
        out: [{ text: t("request.cancelled", { type: t(`labels.type.${state.type}`), noun: t(`labels.noun.${state.type}`), Noun: t(`labels.noun_cap.${state.type}`) }) }],
      };
    return ask({ ...state, step: 0, sub: "edit_which" });
  }

  const s = def.steps[state.step];
  const typed = (max: number, singleLine: boolean) => (input.kind === "text" ? checkTyped(t, input.text, max, singleLine) : undefined);

  if (state.sub === "detail" || state.sub === "product_name") {
    const max = state.sub === "detail" ? (s.options?.find((o) => o.value === state.answers[s.key])?.detail?.max ?? TEXT_MAX) : (s.max ?? PRODUCT_MAX);
    const r = typed(max, true);
    if (!r) return again(wrongKind(t, { ...s, kind: "text" }, input));
    if (!r.ok) return again(r.error);
    if (state.sub === "detail") state.answers[detailKey(s.key)] = r.value;
    else state.answers[s.key] = r.value;
    return ask(next(state, member));
  }

  switch (s.kind) {
    case "choice": {
      const all = options(s, t, member);
      if (s.optionsFrom === "products" && all.length === 1) {
        const r = typed(s.max ?? PRODUCT_MAX, true);
        if (!r) return again(wrongKind(t, { ...s, kind: "text" }, input));
        if (!r.ok) return again(r.error);
        state.answers[s.key] = r.value;
        return ask(next(state, member));
      }
      const id = choiceOf();
      const picked = all.find((o) => o.id === id);
      if (!picked) return again(wrongKind(t, s, input));
      if (picked.value === CHOICE.other) return ask({ ...state, sub: "product_name" });
      state.answers[s.key] = picked.value;
      delete state.answers[detailKey(s.key)];
      if (s.options?.find((o) => o.value === picked.value)?.detail) return ask({ ...state, sub: "detail" });
      return ask(next(state, member));
    }
    case "multi": {
      const id = choiceOf();
      const all = options(s, t, member);
      const picked = new Set(state.picked ?? (Array.isArray(prev.answers[s.key]) ? (prev.answers[s.key] as string[]) : []));
      // Several typed at once: "1, 3".
      if (!id && input.kind === "text" && /^\s*\d{1,2}(\s*[,;\s]\s*\d{1,2})+\s*$/.test(input.text)) {
        const ids = input.text.split(/[,;\s]+/).filter(Boolean);
        const values = ids.map((n) => all[Number(n) - 1]?.value);
        if (values.some((v) => v === undefined)) return again(wrongKind(t, s, input));
        state.answers[s.key] = all.filter((o) => values.includes(o.value)).map((o) => o.value);
        return ask(next(state, member));
      }
      if (!id) return again(wrongKind(t, s, input));
      if (id === CHOICE.done) {
        if (picked.size === 0) return again(t("dialog.multi_min", { count: 1 }));
        state.answers[s.key] = all.filter((o) => picked.has(o.value)).map((o) => o.value);
        return ask(next(state, member));
      }
      const value = all.find((o) => o.id === id)!.value;
      if (picked.has(value)) picked.delete(value);
      else picked.add(value);
      return ask({ ...state, picked: [...picked] });
    }
    case "yesno": {
      const id = choiceOf();
      if (id !== "yes" && id !== "no") return again(wrongKind(t, s, input));
      state.answers[s.key] = id === "yes";
      return ask(next(state, member));
    }
    case "number": {
      if (input.kind !== "text") return again(wrongKind(t, s, input));
      const unit = s.unit ?? "count";
      const n = parseNumber(input.text, unit);
      const min = s.min ?? 0;
      const max = s.max ?? Number.MAX_SAFE_INTEGER;
      if (n === undefined) return again(t("dialog.number_invalid"));
      if (n < min || n > max) return again(t("dialog.number_range", { min: formatNumber(min, unit), max: formatNumber(max, unit) }));
      state.answers[s.key] = n;
      return ask(next(state, member));
    }
    case "text":
    case "text-or-voice": {
      if (s.optional && choiceOf() === CHOICE.skip) {
        delete state.answers[s.key];
        state.attachments = state.attachments.filter((a) => a.field !== s.key);
        return ask(next(state, member));
      }
      if (s.kind === "text-or-voice" && input.kind === "voice") {
        delete state.answers[s.key];
        state.attachments = [
          ...state.attachments.filter((a) => a.field !== s.key),
          { kind: "voice", field: s.key, ref: input.ref, ...(input.duration ? { duration: input.duration } : {}) },
        ];
        return ask(next(state, member));
      }
      const r = typed(s.max ?? TEXT_MAX, !s.multiline && s.kind === "text");
      if (!r) return again(wrongKind(t, s, input));
      if (!r.ok) return again(r.error);
      state.answers[s.key] = r.value;
      state.attachments = state.attachments.filter((a) => a.field !== s.key);
      return ask(next(state, member));
    }
    case "photos": {
      const max = s.max ?? PHOTOS_MAX;
      const mine = state.attachments.filter((a) => a.field === s.key);
      if (input.kind === "photo") {
        if (mine.length >= max) return { state: prev, out: [{ text: t("dialog.photo_limit", { max }) }] };
        const photo: MachineAttachment = { kind: "photo", field: s.key, ref: input.ref, ...(input.caption ? { caption: input.caption.slice(0, 200) } : {}) };
        // A first photo after *Ubah* replaces the earlier ones.
        const kept = state.editing && !prev.picked ? state.attachments.filter((a) => a.field !== s.key) : state.attachments;
        const count = (state.editing && !prev.picked ? 0 : mine.length) + 1;
        const s2: MachineState = { ...state, attachments: [...kept, photo], picked: ["photos"] };
        return { state: s2, out: [{ text: t("dialog.photo_received", { count, max }), choices: [{ id: CHOICE.done, label: t("dialog.photos_finish", { count }) }] }] };
      }
      const id = choiceOf();
      if (id === CHOICE.done && mine.length) return ask(next({ ...state, picked: undefined }, member));
      if (id === CHOICE.skip && s.optional) {
        state.attachments = state.attachments.filter((a) => a.field !== s.key);
        return ask(next(state, member));
      }
      return again(wrongKind(t, s, input));
    }
  }
}

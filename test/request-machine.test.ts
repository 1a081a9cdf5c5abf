/**
 * The channel-neutral request dialogue (domain/request-machine.ts): every type walked to its summary
 * and sent, typed answers wherever a button is ("2", a label), bad input at every step answered and
 * the question asked again with nothing lost, *Ubah* and *Batal*. Pure: no database, no channel.
 */
import { tFor } from "../src/i18n";
import { REQUEST_TYPES } from "../src/vocabulary/request-types";
import { REQUEST_DEFINITIONS, type StepDefinition } from "../src/domain/request-definitions";
import { advance, startRequest, question, typedChoice, CHOICE, type MachineInput, type MachineResult, type MachineState } from "../src/domain/request-machine";

const t = tFor("id") as unknown as (k: string, v?: Record<string, unknown>) => string;
const member = { products: "Keripik pisang, Rengginang" };

/** A valid answer to the state's question. */
function validAnswer(state: MachineState): MachineInput[] {
  const q = question(state, t, member);
  const s: StepDefinition = REQUEST_DEFINITIONS[state.type].steps[state.step];
  if (state.sub !== "main") return [{ kind: "text", text: "Keterangan singkat" }];
  switch (s.kind) {
    case "choice":
    case "yesno":
      return [{ kind: "choice", id: q.choices![0].id }];
    case "multi":
      return [
        { kind: "choice", id: q.choices![0].id },
        { kind: "choice", id: CHOICE.done },
      ];
    case "number":
      return [{ kind: "text", text: String(Math.max(s.min ?? 0, 1)) }];
    case "photos":
      return [
        { kind: "photo", ref: "media-1", caption: "retak" },
        { kind: "choice", id: CHOICE.done },
      ];
    case "text-or-voice":
      return [{ kind: "voice", ref: "media-2", duration: 7 }];
    default:
      return [{ kind: "text", text: "Jawaban contoh yang cukup jelas" }];
  }
}

function walk(state: MachineState, inputs: MachineInput[]): MachineResult {
  let r: MachineResult = { state, out: [] };
  for (const input of inputs) {
    if ("done" in r) throw new Error("already done");
    r = advance(r.state, input, t, member);
  }
  return r;
}

test.each(REQUEST_TYPES.map((type) => ({ type })))("$type: every step answered, then the summary, then Kirim gives the answers", ({ type }) => {
  const def = REQUEST_DEFINITIONS[type];
  const started = startRequest(type, t, member);
  let state = started.state;
  expect(started.out[0].text).toBe(t("request.intro", { type: t(`labels.type.${type}`) }));
  for (let guard = 0; state.step >= 0 && guard < 40; guard++) {
    const r = walk(state, validAnswer(state));
    expect("done" in r).toBe(false);
    state = (r as { state: MachineState }).state;
  }
  expect(state.step).toBe(-1);
  const summary = question(state, t, member);
  expect(summary.choices!.map((c) => c.id)).toEqual([CHOICE.send, CHOICE.edit, CHOICE.cancel]);
  const sent = advance(state, { kind: "choice", id: CHOICE.send }, t, member);
  expect(sent).toMatchObject({ done: "send" });
  // Every required step has its answer (or its attachment).
  for (const s of def.steps.filter((x) => !x.optional)) {
    const has = s.key in state.answers || state.attachments.some((a) => a.field === s.key);
    expect({ step: s.key, has }).toEqual({ step: s.key, has: true });
  }
});

test("bad input at every step of every type: answered, the same question again, the state unchanged", () => {
  for (const type of REQUEST_TYPES) {
    let { state } = startRequest(type, t, member);
    for (let guard = 0; state.step >= 0 && guard < 40; guard++) {
      const s = REQUEST_DEFINITIONS[type].steps[state.step];
      const bad: MachineInput[] = [{ kind: "other" }, { kind: "choice", id: "o99" }, { kind: "text", text: "/status" }];
      if (s.kind === "text" || s.kind === "text-or-voice") bad.push({ kind: "text", text: "x".repeat((s.max ?? 2000) + 1) });
      if (s.kind === "number") bad.push({ kind: "text", text: "banyak sekali" });
      for (const input of bad) {
        const r = advance(state, input, t, member);
        expect("done" in r).toBe(false);
        const { state: after, out } = r as { state: MachineState; out: { text: string }[] };
        expect(after).toEqual(state);
        expect(out.length).toBe(2);
        expect(out[1]).toEqual(question(state, t, member));
      }
      state = (walk(state, validAnswer(state)) as { state: MachineState }).state;
    }
  }
});

test("a typed number or label answers a choice; a multi step takes '1, 3' at once", () => {
  let { state } = startRequest("pelatihan", t, member);
  const q = question(state, t, member);
  const second = q.choices![1];
  const byNumber = advance(state, { kind: "text", text: "2" }, t, member) as { state: MachineState };
  const byLabel = advance(state, { kind: "text", text: second.label.toLowerCase() }, t, member) as { state: MachineState };
  expect(byNumber.state.answers).toEqual(byLabel.state.answers);
  expect(Object.values(byNumber.state.answers)).toHaveLength(1);
  // A multi step, wherever a definition has one.
  for (const type of REQUEST_TYPES) {
    const i = REQUEST_DEFINITIONS[type].steps.findIndex((s) => s.kind === "multi");
    if (i < 0) continue;
    const s = REQUEST_DEFINITIONS[type].steps[i];
    state = { type, step: i, sub: "main", editing: false, answers: {}, attachments: [] };
    const r = advance(state, { kind: "text", text: "1, 3" }, t, member) as { state: MachineState };
    expect(r.state.answers[s.key]).toEqual([s.options![0].value, s.options![2].value]);
    return;
  }
});

test("Ubah changes one step and comes back to the summary; Batal drops the request", () => {
  const type = REQUEST_TYPES.find((x) => REQUEST_DEFINITIONS[x].steps.some((s) => s.kind === "text-or-voice" && !s.optional))!;
  let { state } = startRequest(type, t, member);
  for (let guard = 0; state.step >= 0 && guard < 40; guard++) state = (walk(state, validAnswer(state)) as { state: MachineState }).state;
  const before = { ...state.answers };
  const which = advance(state, { kind: "choice", id: CHOICE.edit }, t, member) as { state: MachineState; out: { text: string; choices?: { id: string }[] }[] };
  expect(which.out[0].text).toBe(t("request.edit_which"));
  const steps = REQUEST_DEFINITIONS[type].steps;
  const textStep = steps.findIndex((s) => s.kind === "text-or-voice" && !s.optional);
  const asking = advance(which.state, { kind: "choice", id: `s${textStep}` }, t, member) as { state: MachineState };
  expect(asking.state).toMatchObject({ step: textStep, editing: true });
  const changed = advance(asking.state, { kind: "text", text: "Jawaban yang baru" }, t, member) as { state: MachineState; out: { text: string }[] };
  expect(changed.state.step).toBe(-1);
  expect(changed.state.answers).toEqual({ ...before, [steps[textStep].key]: "Jawaban yang baru" });
  expect(advance(changed.state, { kind: "text", text: "batal" }, t, member)).toMatchObject({ done: "cancel" });
});

test("typedChoice: a number or a label in any case and spacing picks the choice; the start of one label too; anything else none", () => {
  const choices = [
    { id: "kemasan", label: "Kemasan" },
    { id: "izin", label: "Izin usaha" },
    { id: "izin2", label: "Izin edar" },
  ];
  expect(typedChoice(choices, " 2 ")).toBe("izin");
  expect(typedChoice(choices, "2.")).toBe("izin");
  expect(typedChoice(choices, "KEMASAN")).toBe("kemasan");
  expect(typedChoice(choices, "izin  usaha")).toBe("izin");
  expect(typedChoice(choices, "kem")).toBe("kemasan");
  expect(typedChoice(choices, "izin")).toBeUndefined(); // two labels start so
  expect(typedChoice(choices, "4")).toBeUndefined();
  expect(typedChoice(choices, "entah")).toBeUndefined();
});

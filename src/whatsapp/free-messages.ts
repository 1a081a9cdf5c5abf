/**
 * A registered member writes outside any dialogue, words that are no menu choice: as on Telegram
 * (bot/features/free-messages.ts) the message is offered to their open requests ("for which one?"),
 * as a new report, or not at all. The message and the requests offered wait in the session; the
 * member's pick is a number or a word from that list, never an id from the member.
 */
import { typeWords, type TFunction } from "../i18n";
import type { ChangeBasis } from "../domain/deadlines";
import type { MemberView } from "../domain/members";
import type { MachineInput, MachineOutput } from "../domain/request-machine";
import { memberOpenRequests } from "../domain/queries";
import { recordMemberAnswer, NOTE_MAX } from "../domain/workflow";
import { typedChoice } from "../domain/typed-answers";
import { sourceOf } from "./source";

export interface FreeMessageWait {
  kind: "free";
  text: string;
  /** The member's message (the domain's source: the same message recorded once). */
  wamid: string;
  requests: { id: string; code: string; type: string }[];
}

const PICK = { request: (n: number) => `free:${n}`, new: "free:new", no: "free:no" } as const;

function question(w: FreeMessageWait, t: TFunction): MachineOutput {
  return {
    text: t("unhandled.which_request"),
    choices: [
      ...w.requests.map((r, n) => ({ id: PICK.request(n), label: t("unhandled.btn_request", { code: r.code, type: t(`labels.type.${r.type}`) }) })),
      { id: PICK.new, label: t("unhandled.btn_new") },
      { id: PICK.no, label: t("unhandled.btn_no") },
    ],
  };
}

/** The offer, or null when the member has no open request (the menu answers then). Too long: said so. */
export async function offerFreeMessage(text: string, member: MemberView, wamid: string, t: TFunction): Promise<{ out: MachineOutput[]; wait: FreeMessageWait | null } | null> {
  if (text.length > NOTE_MAX) return { out: [{ text: t("dialog.too_long", { max: NOTE_MAX, count: text.length }) }], wait: null };
  const open = await memberOpenRequests(member.id);
  if (open.length === 0) return null;
  const wait: FreeMessageWait = { kind: "free", text, wamid, requests: open.map((r) => ({ id: r.id, code: r.code, type: r.type })) };
  return { out: [question(wait, t)], wait };
}

/** The member's pick: sent to that request's officers, or not; "new": the menu. Not a pick: asked again. */
export async function pickFreeMessage(
  w: FreeMessageWait,
  input: MachineInput,
  member: MemberView,
  t: TFunction,
  basis: ChangeBasis,
): Promise<{ out: MachineOutput[]; wait: FreeMessageWait | null; menu?: boolean }> {
  const q = question(w, t);
  const pick = input.kind === "choice" ? q.choices!.find((c) => c.id === input.id)?.id : input.kind === "text" ? typedChoice(q.choices!, input.text) : undefined;
  if (!pick) return { out: [{ text: t(input.kind === "choice" ? "dialog.stale_button" : "dialog.expect_choice") }, q], wait: w };
  if (pick === PICK.no) return { out: [{ text: t("unhandled.not_sent") }], wait: null };
  if (pick === PICK.new) return { out: [{ text: t("unhandled.not_sent") }], wait: null, menu: true };
  const chosen = w.requests[Number(pick.slice("free:".length))];
  const res = await recordMemberAnswer(chosen.id, member.telegramId, { text: w.text }, sourceOf(member.telegramId, w.wamid), basis);
  if (!res.ok) {
    const r = res.request;
    const text =
      res.reason === "closed" && r ? t("officer.member.closed", { ...typeWords(t, r.type), code: r.code, status: t(`labels.status.${r.status}`) }) : t("unhandled.choice_expired");
    return { out: [{ text }], wait: null };
  }
  // The acknowledgement follows through the outbox.
  return { out: [{ text: t("unhandled.sent_to", { code: chosen.code }) }], wait: null };
}

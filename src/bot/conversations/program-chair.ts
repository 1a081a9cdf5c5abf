/**
 * A chairperson registers someone of the sentra for a program (features/programs.ts, *Daftarkan
 * anggota* under the program in /program): a registered member of the sentra chosen from a list, or
 * a person without a phone typed by name (and business), as /laporkan files for them. Confirmed,
 * then registered by domain/program-actions.ts (registerFor), which checks the sentra and the
 * program's rules again at that moment.
 */
import type { Dialogue, DialogueContext } from "../context";
import { askChoice, askText, askYesNo } from "./ask-choices";
import { findProgram } from "../../domain/programs";
import { registerFor, type JoinOutcome, type Registrant } from "../../domain/program-actions";
import { sentraMembers } from "../../domain/chairpersons";
import { sentraChairedBy } from "../../domain/sentras";
import { BUSINESS_MAX, NAME_MAX } from "../../lib/limits";

export const PROGRAM_CHAIR_ID = "program_chair";

/** Members offered as buttons (by name); the others are typed as "no phone" or found by the officers. */
const LISTED = 30;
const GUEST = "guest";

/** The chairperson's answer for each outcome of a registration. */
export function chairJoinText(t: DialogueContext["t"], r: JoinOutcome, who: string): string {
  if (r.kind === "gone") return t("program.gone");
  const code = r.program.code;
  switch (r.kind) {
    case "registered":
    case "already":
      return r.place.kind === "seat"
        ? t(`program_chair.${r.kind}_seat`, { who, code, rank: r.place.rank, seats: r.program.seats })
        : t(`program_chair.${r.kind}_waiting`, { who, code, position: r.place.position });
    case "missing":
      return t("program_chair.missing", { who, code });
    case "not_for_you":
      return t("program_chair.not_for", { who, code });
    default:
      return t("program_chair.closed", { code });
  }
}

export async function programChair(conversation: Dialogue, ctx: DialogueContext, args: { programId: string }) {
  const chairId = ctx.from!.id;
  const found = await conversation.external(async () => {
    const [p, sentra] = await Promise.all([findProgram(args.programId), sentraChairedBy(chairId)]);
    return p && sentra
      ? { code: p.code, title: p.title, sentraId: sentra.id, members: (await sentraMembers(sentra.id, LISTED + 1)).filter((m) => m.telegramId !== chairId) }
      : null;
  });
  if (!found) return void (await ctx.reply(ctx.t("program.gone")));
  const choice = await askChoice(conversation, ctx, {
    prompt: ctx.t("program_chair.ask_who", { code: found.code, title: found.title }),
    choices: [
      ...found.members.slice(0, LISTED).map((m) => ({ value: String(m.telegramId), label: m.name.slice(0, 40) })),
      { value: GUEST, label: ctx.t("program_chair.no_phone") },
    ],
    columns: 2,
  });
  let who: Registrant;
  let name: string;
  if (choice === GUEST) {
    name = await askText(conversation, ctx, { prompt: ctx.t("program_chair.ask_name"), max: NAME_MAX });
    const business = await askText(conversation, ctx, {
      prompt: ctx.t("program_chair.ask_business"),
      max: BUSINESS_MAX,
      suggestions: [{ label: ctx.t("dialog.skip"), value: "-" }],
    });
    who = { guest: { name, business: business === "-" ? null : business } };
  } else {
    who = { telegramId: Number(choice) };
    name = found.members.find((m) => String(m.telegramId) === choice)?.name ?? "";
  }
  if (!(await askYesNo(conversation, ctx, { prompt: ctx.t("program_chair.confirm", { who: name, code: found.code }) })))
    return void (await ctx.reply(ctx.t("admin.nothing_changed")));
  const at = new Date(await conversation.now());
  const text = await conversation.external(async () => {
    // Checked again now: still the chairperson of that sentra.
    const sentra = await sentraChairedBy(chairId);
    if (!sentra || sentra.id !== found.sentraId) return ctx.t("admin.not_allowed");
    return chairJoinText(ctx.t, await registerFor(args.programId, { telegramId: chairId, sentraId: sentra.id }, who, at), name);
  });
  await ctx.reply(text);
}

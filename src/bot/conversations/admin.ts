/**
 * Admin dialogues in a private chat: add or rename a sentra, appoint a chairperson. Entered only
 * after the caller was checked against ADMIN_IDS (features/admin.ts); each change is confirmed
 * first and written to the audit log.
 */
import type { Dialogue, DialogueContext } from "../context";
import { askChoice, askText } from "./ask";
import { KECAMATAN, type Kecamatan } from "../../domain/kecamatan";
import { addSentra, listSentras, renameSentra } from "../../domain/sentras";
import { queueMemberNotice, setChairperson, sentraMembers } from "../../domain/chairpersons";
import { audit } from "../../domain/audit";

export const ADMIN_SENTRA_ID = "admin_sentra";
export const ADMIN_CHAIR_ID = "admin_chair";
const SENTRA_NAME_MAX = 100;

async function confirm(conversation: Dialogue, ctx: DialogueContext, summary: string): Promise<boolean> {
  const answer = await askChoice(conversation, ctx, {
    prompt: summary,
    choices: [
      { value: "yes", label: ctx.t("admin.confirm_yes") },
      { value: "no", label: ctx.t("admin.confirm_no") },
    ],
  });
  if (answer === "no") await ctx.reply(ctx.t("admin.nothing_changed"));
  return answer === "yes";
}

async function pickSentra(conversation: Dialogue, ctx: DialogueContext, prompt: string): Promise<{ id: string; name: string } | null> {
  const sentras = await conversation.external(() => listSentras());
  if (sentras.length === 0) {
    await ctx.reply(ctx.t("admin.no_sentras"));
    return null;
  }
  const id = await askChoice(conversation, ctx, { prompt, choices: sentras.map((s) => ({ value: s.id, label: s.name })) });
  return sentras.find((s) => s.id === id)!;
}

export async function adminSentra(conversation: Dialogue, ctx: DialogueContext, args: { op: "add" | "rename" }) {
  const by = ctx.from!.id;
  if (args.op === "add") {
    const name = await askText(conversation, ctx, { prompt: ctx.t("admin.ask_sentra_name"), max: SENTRA_NAME_MAX });
    const kecamatan = await askChoice<Kecamatan>(conversation, ctx, {
      prompt: ctx.t("admin.ask_sentra_kecamatan"),
      choices: KECAMATAN.map((k) => ({ value: k, label: k })),
      columns: 2,
    });
    if (!(await confirm(conversation, ctx, ctx.t("admin.confirm_add_sentra", { name, kecamatan })))) return;
    const now = await conversation.now();
    await conversation.external(async () => {
      const s = await addSentra(name, kecamatan);
      await audit(by, "sentra.add", { id: s.id, name, kecamatan }, new Date(now));
    });
    await ctx.reply(ctx.t("admin.sentra_added", { name, kecamatan }));
    return;
  }
  const sentra = await pickSentra(conversation, ctx, ctx.t("admin.pick_sentra_rename"));
  if (!sentra) return;
  const name = await askText(conversation, ctx, { prompt: ctx.t("admin.ask_new_name", { old: sentra.name }), max: SENTRA_NAME_MAX });
  if (!(await confirm(conversation, ctx, ctx.t("admin.confirm_rename", { old: sentra.name, name })))) return;
  const now = await conversation.now();
  await conversation.external(async () => {
    await renameSentra(sentra.id, name);
    await audit(by, "sentra.rename", { id: sentra.id, from: sentra.name, to: name }, new Date(now));
  });
  await ctx.reply(ctx.t("admin.sentra_renamed", { old: sentra.name, name }));
}

export async function adminChair(conversation: Dialogue, ctx: DialogueContext) {
  const by = ctx.from!.id;
  const sentra = await pickSentra(conversation, ctx, ctx.t("admin.pick_sentra_chair"));
  if (!sentra) return;
  const members = await conversation.external(() => sentraMembers(sentra.id, 40));
  if (members.length === 0) {
    await ctx.reply(ctx.t("admin.no_members", { sentra: sentra.name }));
    return;
  }
  const chosen = await askChoice(conversation, ctx, {
    prompt: ctx.t("admin.pick_chair", { sentra: sentra.name }),
    choices: members.map((m) => ({ value: String(m.telegramId), label: m.businessName ? `${m.name} (${m.businessName})` : m.name })),
  });
  const member = members.find((m) => String(m.telegramId) === chosen)!;
  if (!(await confirm(conversation, ctx, ctx.t("admin.confirm_chair", { name: member.name, sentra: sentra.name })))) return;
  const now = await conversation.now();
  const ok = await conversation.external(async () => {
    const r = await setChairperson(sentra.id, member.telegramId, by, new Date(now));
    if (r.ok) await queueMemberNotice(member.telegramId, "admin.you_are_chair", { sentra: sentra.name }, new Date(now));
    return r.ok;
  });
  await ctx.reply(ok ? ctx.t("admin.chair_set", { name: member.name, sentra: sentra.name }) : ctx.t("admin.chair_failed"));
}

/**
 * Admin dialogues in a private chat: add or rename a sentra, appoint a chairperson. Entered only
 * after the caller was checked against ADMIN_IDS (features/admin/); each change is confirmed
 * first and written to the audit log.
 */
import type { Dialogue, DialogueContext } from "../context";
import type { Message } from "grammy/types";
import { ask, checkText, wrongInputText } from "./ask";
import { askChoice, askText } from "./ask-choices";
import { KECAMATAN, type Kecamatan } from "../../vocabulary/kecamatan";
import { addSentra, listSentras, renameSentra } from "../../domain/sentras";
import { queueMemberNotice, setChairperson, sentraMembersPage, type SentraMemberRow } from "../../domain/chairpersons";
import { audit } from "../../domain/audit";
import { escapeHtml } from "../../i18n";
import { refreshChatMenus } from "../commands";
import { DIALOGUE } from "../../telegram/callback-data";
import { SENTRA_NAME_MAX } from "../../lib/limits";

export const ADMIN_SENTRA_ID = "admin_sentra";
export const ADMIN_CHAIR_ID = "admin_chair";

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

type MemberRow = SentraMemberRow;
type PageView = Awaited<ReturnType<typeof sentraMembersPage>> & { search: string };

const memberLabel = (m: MemberRow) => (m.businessName ? `${m.name} (${m.businessName})` : m.name);

/**
 * The sentra's members, a page at a time (Berikutnya / Sebelumnya edit the list in place), or only
 * those matching a typed part of a name. Only a button of the list message now shown counts, and a
 * member button names its member (not a position), so it picks that member only while the member is
 * on the page shown: an older list's, a not yet redrawn page's or a forged one is refused as stale,
 * like every other step. A refused input asks again with the page now shown; a second press for the
 * page already shown (a double tap) is only answered.
 */
async function pickMember(conversation: Dialogue, ctx: DialogueContext, sentra: { id: string; name: string }): Promise<MemberRow | null> {
  const load = (page: number, search: string) => conversation.external(async (): Promise<PageView> => ({ ...(await sentraMembersPage(sentra.id, page, search)), search }));
  let view = await load(0, "");
  if (view.total === 0) {
    await ctx.reply(ctx.t("admin.no_members", { sentra: sentra.name }));
    return null;
  }
  const text = (v: PageView) =>
    [
      ctx.t(v.search ? "admin.pick_chair_filtered" : "admin.pick_chair", { sentra: sentra.name, search: v.search }),
      ctx.t("admin.pick_chair_page", { page: v.page + 1, pages: v.pages, total: v.total }),
    ].join("\n");
  const keyboard = (v: PageView) => {
    const rows = v.members.map((m) => [{ text: memberLabel(m), callback_data: DIALOGUE.member(m.telegramId) }]);
    const nav = [
      ...(v.page > 0 ? [{ text: ctx.t("admin.btn_prev"), callback_data: DIALOGUE.page(v.page - 1) }] : []),
      ...(v.page < v.pages - 1 ? [{ text: ctx.t("admin.btn_next"), callback_data: DIALOGUE.page(v.page + 1) }] : []),
    ];
    if (nav.length) rows.push(nav);
    if (v.search) rows.push([{ text: ctx.t("admin.btn_all_members"), callback_data: DIALOGUE.pageAll }]);
    return { inline_keyboard: rows };
  };
  for (;;) {
    const answer = await ask<{ member: MemberRow; prompt: Message.TextMessage } | { search: string }>(conversation, ctx, {
      // Asked again after a refusal: the page now shown, whose buttons are the ones judged below.
      send: (c) => c.reply(text(view), { reply_markup: keyboard(view) }),
      judge: async (input, prompt) => {
        if (input.kind === "callback" && prompt && input.messageId === prompt.message_id) {
          const chosen = DIALOGUE.MEMBER.exec(input.data);
          const member = chosen ? view.members.find((m) => String(m.telegramId) === chosen[1]) : undefined;
          if (member) return { ok: true, value: { member, prompt } };
          const turn = DIALOGUE.PAGE.exec(input.data);
          const all = turn?.[1] === "all";
          const page = all ? 0 : Number(turn?.[1]);
          // The page already shown (a double tap on Berikutnya or "Tampilkan semua anggota"): nothing to do.
          if (turn && (all ? view.search === "" : page === view.page)) return { ok: false, wait: true };
          if (turn && (all || page < view.pages)) {
            view = await load(page, all ? "" : view.search);
            await input.ctx.api.editMessageText(prompt.chat.id, prompt.message_id, text(view), { reply_markup: keyboard(view) });
            return { ok: false, wait: true };
          }
        }
        if (input.kind === "text" && !input.text.startsWith("/")) {
          const typed = checkText(input.ctx, input.text, SENTRA_NAME_MAX, true);
          return typed.ok ? { ok: true, value: { search: typed.value } } : typed;
        }
        return { ok: false, error: wrongInputText(input.ctx, input, "choice") };
      },
    });
    if ("member" in answer) {
      await ctx.api.editMessageText(answer.prompt.chat.id, answer.prompt.message_id, `${text(view)}\n\n✅ <b>${escapeHtml(memberLabel(answer.member))}</b>`);
      return answer.member;
    }
    const found = await load(0, answer.search);
    if (found.total === 0) await ctx.reply(ctx.t("admin.no_member_match", { sentra: sentra.name, search: answer.search }));
    else view = found;
  }
}

export async function adminChair(conversation: Dialogue, ctx: DialogueContext) {
  const by = ctx.from!.id;
  const sentra = await pickSentra(conversation, ctx, ctx.t("admin.pick_sentra_chair"));
  if (!sentra) return;
  const member = await pickMember(conversation, ctx, sentra);
  if (!member) return;
  if (!(await confirm(conversation, ctx, ctx.t("admin.confirm_chair", { name: member.name, sentra: sentra.name })))) return;
  const now = await conversation.now();
  const result = await conversation.external(async () => {
    const r = await setChairperson(sentra.id, member.telegramId, by, new Date(now));
    if (r.ok) await queueMemberNotice(member.telegramId, "admin.you_are_chair", { sentra: sentra.name }, new Date(now));
    return r.ok ? { ok: true as const, previous: r.previous } : { ok: false as const };
  });
  await ctx.reply(result.ok ? ctx.t("admin.chair_set", { name: member.name, sentra: sentra.name }) : ctx.t("admin.chair_failed"));
  if (result.ok) {
    // The new chairperson's menu gets the sentra's commands; the one replaced loses them. It reads
    // the database, so outside the replayed dialogue, with the outside context's API.
    await conversation.external((outer) =>
      refreshChatMenus(outer.api, outer.config, [member.telegramId, result.previous]).catch((err) =>
        outer.logger.warn({ err: String(err) }, "chairpersons' command menus not refreshed"),
      ),
    );
  }
}

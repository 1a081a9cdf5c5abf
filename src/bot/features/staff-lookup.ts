/**
 * Looking requests up, for officers and admins: `/status KODE` shows the staff view of one request
 * (member, sentra, answers, attachments, timeline, who handles it, a link to its card) in a private
 * chat or in the officers' group; `/cari TEXT` finds requests by member name, business or code.
 * Who may is decided from the sender; never a phone number (the group reads it).
 */
import { Composer } from "grammy";
import type { BotContext } from "../context";
import { escapeHtml, type TFunction } from "../../i18n";
import { findRequestByCode, type RequestView } from "../../domain/requests";
import { parseTrackingCode } from "../../domain/tracking-code";
import { searchRequests, SEARCH_MAX, SEARCH_MIN } from "../../domain/queries";
import { describeAnswers, requestDefinition } from "../../domain/request-definitions";
import { isStaffPlace, refuseStaffPlace } from "../staff";
import { formatWita } from "../../lib/time";
import { clipText } from "../../lib/text";
import { loadCardData, type CardData } from "../../telegram/render";
import { resolveViewer } from "./roles";
import { linesToMessages, requestLine, timelineLines } from "./status";

/** A supergroup message's link (t.me/c/…): only supergroups and channels have one. */
export function messageLink(chatId: number, messageId: number): string | null {
  const s = String(chatId);
  return s.startsWith("-100") ? `https://t.me/c/${s.slice(4)}/${messageId}` : null;
}

/** The staff view of one request. */
export function staffView(t: TFunction, locale: string, data: CardData): string[] {
  const { request: r, member, sentra, names } = data;
  // Values given to t() are escaped by i18next.
  const who = (id: number | null) => (id === null ? t("status.staff_nobody") : (names.get(id) ?? String(id)));
  const head = t("status.staff_view", {
    code: r.code,
    type: t(`labels.type.${r.type}`),
    status: t(`labels.status.${r.status}`),
    member: member?.name ? `${member.name} — ${member.businessName ?? "—"}` : t("status.staff_member_erased"),
    sentra: sentra?.name ?? t("officer.card.no_sentra"),
    kecamatan: r.kecamatan,
    routed: who(r.routedToTelegramId),
    assignee: who(r.assigneeTelegramId),
    photos: r.attachments.filter((a) => a.kind === "photo").length,
    voices: r.attachments.filter((a) => a.kind === "voice").length,
    created: formatWita(r.createdAt, locale),
  });
  const answers = describeAnswers(requestDefinition(r.type), r.answers, r.attachments, (k, v) => t(k, v ?? {})).map(
    (a) => `• ${escapeHtml(a.label)}: ${escapeHtml(clipText(a.value, 300))}`,
  );
  const link = r.card?.chatId && r.card.messageId ? messageLink(r.card.chatId, r.card.messageId) : null;
  return [
    head,
    "",
    t("status.staff_answers"),
    ...answers,
    "",
    t("status.timeline"),
    ...timelineLines(t, locale, r, true),
    ...(link ? ["", t("status.staff_card_link", { url: link })] : []),
  ];
}

/**
 * Whether a staff lookup may run here: staff, privately or in the officers' group. Staff in another
 * group are told why nothing happened (`refused`: the caller stops); everyone else goes on.
 */
async function staffHere(ctx: BotContext, what: string): Promise<"yes" | "no" | "refused"> {
  if (!ctx.from) return "no";
  const v = await resolveViewer(ctx);
  if (!v.isAdmin && !v.isOfficer) return "no";
  if (await isStaffPlace(ctx)) return "yes";
  await refuseStaffPlace(ctx, v.isAdmin ? "admin" : "officer", what);
  return "refused";
}

async function replyLines(ctx: BotContext, lines: string[]): Promise<void> {
  const [head, ...rest] = lines;
  for (const text of linesToMessages(head, rest)) await ctx.reply(text, { link_preview_options: { is_disabled: true } });
}

/** /status with a code from staff: the staff view. */
export async function showStaffRequest(ctx: BotContext, code: string): Promise<void> {
  const r: RequestView | null = await findRequestByCode(code);
  const data = r ? await loadCardData(r.id) : null;
  if (!data) return void (await ctx.reply(ctx.t("status.not_found", { code })));
  await replyLines(ctx, staffView(ctx.t, ctx.locale, data));
}

export function createStaffLookupFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  // Staff privately or in the officers' group; everyone else goes on to the member's /status (private)
  // or nothing (other groups). A staff member who is also a member sees their own list without a code.
  composer.command("status", async (ctx, next) => {
    const here = await staffHere(ctx, "status");
    if (here === "refused") return;
    if (here === "no") return next();
    const arg = ctx.match.trim();
    if (!arg && ctx.chat.type === "private" && ctx.member?.registered) return next();
    if (!arg) return void (await ctx.reply(ctx.t("status.staff_hint")));
    const code = parseTrackingCode(arg);
    if (!code) return void (await ctx.reply(ctx.t("status.bad_code")));
    await showStaffRequest(ctx, code);
  });

  composer.command("cari", async (ctx, next) => {
    const here = await staffHere(ctx, "cari");
    if (here === "refused") return;
    if (here === "no") {
      ctx.logger.warn({ command: "cari", chat_type: ctx.chat.type }, "staff command refused");
      return next();
    }
    const text = ctx.match.trim().replace(/\s+/g, " ");
    if (text.length < SEARCH_MIN || text.length > SEARCH_MAX) return void (await ctx.reply(ctx.t("reports.search_usage", { min: SEARCH_MIN, max: SEARCH_MAX })));
    const page = await searchRequests(text);
    const now = new Date();
    const lines = await Promise.all(
      page.items.map(async (r) => {
        const member = (await loadCardData(r.id))?.member;
        const name = member?.name ? `${member.name} — ${member.businessName ?? "—"}` : ctx.t("status.staff_member_erased");
        return `${requestLine(ctx.t, ctx.locale, r, now)}\n${ctx.t("reports.search_line_member", { member: name })}`;
      }),
    );
    const title = ctx.t("reports.search_title", { text, total: page.total });
    if (lines.length === 0) return void (await ctx.reply(`${title}\n\n${ctx.t("reports.search_empty")}`));
    for (const message of linesToMessages(title, ["", ...lines.flatMap((l) => [l, ""])])) await ctx.reply(message.trimEnd());
  });
  return composer;
}

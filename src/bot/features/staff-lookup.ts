/**
 * Looking requests up, for officers and admins: `/status KODE` shows the staff view of one request
 * (member, sentra, answers, attachments, timeline, who handles it, a link to its card) in a private
 * chat or in the officers' group; `/cari TEXT` finds requests by member name, business or code.
 * Who may is decided from the sender; never a phone number (the group reads it).
 */
import { Composer } from "grammy";
import type { BotContext } from "../context";
import { findRequestByCode, type RequestView } from "../../domain/requests";
import { parseTrackingCode } from "../../domain/tracking-code";
import { searchRequests, SEARCH_MAX, SEARCH_MIN } from "../../domain/queries";
import { linesToMessages } from "../../lib/text";
import { loadCardData } from "../../telegram/render";
import { resolveViewer } from "../roles";
import { requestLine, staffView } from "../../telegram/request-text";
import { isStaffPlace, refuseStaffPlace } from "../staff";

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

/** /status with a code from staff: the staff view. */
export async function showStaffRequest(ctx: BotContext, code: string): Promise<void> {
  const r: RequestView | null = await findRequestByCode(code);
  const data = r ? await loadCardData(r.id) : null;
  if (!data) return void (await ctx.reply(ctx.t("status.not_found", { code })));
  for (const text of staffView(ctx.t, ctx.locale, data)) await ctx.reply(text, { link_preview_options: { is_disabled: true } });
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

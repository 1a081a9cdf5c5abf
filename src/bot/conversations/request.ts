/**
 * The one request dialogue: runs any definition of src/domain/request-definitions.ts step by step,
 * shows a summary with Kirim / Ubah / Batal and saves the request. Registered once per type (id
 * `request_<type>`) so that the leave-dialogue prompt can name the request being filled in.
 */
import { createConversation } from "@grammyjs/conversations";
import type { BotContext, Dialogue, DialogueContext } from "../context";
import type { Input } from "./ask";
import { askChoice, askMulti, chooseOne, askNumber, askText, askYesNo } from "./ask-choices";
import { askPhotos, askTextOrVoice } from "./ask-media";
import { onboarding } from "./onboarding";
import { mainMenuKeyboard } from "../keyboards/main-menu";
import { escapeHtml, typeWords } from "../../i18n";
import { REQUEST_TYPES, type RequestType } from "../../vocabulary/request-types";
import {
  REQUEST_DEFINITIONS,
  PRODUCT_MAX,
  TEXT_MAX,
  PHOTOS_MAX,
  describeAnswers,
  detailKey,
  formatNumber,
  parseNumber,
  productChoices,
  type RequestDefinition,
  type StepDefinition,
} from "../../domain/request-definitions";
import { cutText } from "../../lib/text";
import { enqueue, PRIORITY } from "../../domain/outbox";
import { isUndelivered } from "../middlewares/dialogue-sends";
import { ATTACHMENT_CAPTION_MAX, type AnswerValue, type Attachment } from "../../domain/requests";
import { submitRequest } from "../../domain/workflow";
import { findMemberCached, type MemberView } from "../../domain/members";
import { getOfficeContact } from "../../domain/settings";
import { sentraChairedBy } from "../../domain/sentras";
import { askOnBehalf, type OnBehalfChoice } from "./on-behalf";
import { formatWitaDate } from "../../lib/time";
import { systemClock, type Clock } from "../../lib/clock";

export const REQUEST_ID_PREFIX = "request_";

/** How a request dialogue is entered: `onBehalf` for a chairperson filing for a member of the sentra. */
export interface RequestArgs {
  onBehalf?: boolean;
}
export const requestConversationId = (type: RequestType) => `${REQUEST_ID_PREFIX}${type}`;

interface Draft {
  answers: Record<string, AnswerValue>;
  attachments: Attachment[];
}

/** The conversations of every request type, to install after the conversations plugin. */
export function requestConversations(clock: Clock = systemClock) {
  return REQUEST_TYPES.map((type) => createConversation<BotContext, DialogueContext>(createRequestDialogue(REQUEST_DEFINITIONS[type], clock), { id: requestConversationId(type) }));
}

/**
 * What a request dialogue needs to know of the member. It is recorded in the dialogue's replay log
 * (stored with every step), so nothing more: not the name, not the phone.
 */
type DialogueMember = Pick<MemberView, "id" | "registered" | "sentraId" | "kecamatan" | "products">;

function forDialogue(m: MemberView | null): DialogueMember | null {
  return m && { id: m.id, registered: m.registered, sentraId: m.sentraId, kecamatan: m.kecamatan, products: m.products };
}

/** `clock`: when the request counts as filed (its deadlines run from then); read once and replayed. */
export function createRequestDialogue(def: RequestDefinition, clock: Clock = systemClock) {
  return async function request(conversation: Dialogue, ctx: DialogueContext, args?: RequestArgs): Promise<void> {
    const userId = ctx.from!.id;
    const words = typeWords(ctx.t, def.type);
    const typeName = words.type;
    // Taken once and replayed ever after: this dialogue always saves under the same key, so a submit
    // that is repeated (an update delivered again after a crash) gives the same single request.
    const draftId = Math.floor((await conversation.random()) * 2 ** 48).toString(36);

    let member = await conversation.external((outer) => forDialogue(outer.member));
    if (!member?.registered) {
      await ctx.reply(ctx.t("request.register_first", words));
      member = await onboarding(conversation, ctx);
      if (!member) return;
    }
    // One language for the whole dialogue: the one it started in (the plugin replays the same).
    const t = ctx.t;
    // A chairperson filing for a member of the sentra: who it is for, first (checked on the server).
    let forMember: OnBehalfChoice | undefined;
    if (args?.onBehalf) {
      const sentraId = await conversation.external(async () => (await sentraChairedBy(userId))?.id ?? null);
      if (!sentraId) {
        await ctx.reply(t("request.on_behalf.not_chair"), { reply_markup: mainMenuKeyboard(t) });
        return;
      }
      forMember = await askOnBehalf(conversation, ctx, { telegramId: userId, sentraId });
      member = { ...member, products: forMember.products };
    }
    // No count of questions: a "Lainnya" detail or a typed product adds one.
    await ctx.reply(t("request.intro", { type: typeName }));

    const draft: Draft = { answers: {}, attachments: [] };
    let carry: Input | undefined;
    for (const [i, step] of def.steps.entries()) {
      carry = await askStep(conversation, ctx, step, draft, member, { pending: carry, next: def.steps[i + 1], firstPass: true });
    }

    /** Writes "Kirim" under the summary: only once the request is saved (a failed edit must not lose it). */
    let markSent: () => Promise<void> = async () => undefined;
    for (;;) {
      const forLine = forMember ? `${t("request.on_behalf.summary_line", { name: forMember.onBehalf.name })}\n` : "";
      const lines =
        forLine +
        describeAnswers(def, draft.answers, draft.attachments, t)
          .map((l) => `<b>${escapeHtml(l.label)}:</b> ${escapeHtml(l.value)}`)
          .join("\n");
      const summary = await chooseOne(conversation, ctx, {
        prompt: t("request.summary", { type: typeName, lines }),
        choices: [
          { value: "send", label: t("request.send") },
          { value: "edit", label: t("request.edit") },
          { value: "cancel", label: t("request.cancel") },
        ],
      });
      const action = summary.value;
      if (action === "send") {
        markSent = summary.mark;
        break;
      }
      await summary.mark();
      if (action === "cancel") {
        await ctx.reply(t("request.cancelled", words), { reply_markup: mainMenuKeyboard(t) });
        return;
      }
      const back = "__back";
      const field = await askChoice(conversation, ctx, {
        prompt: t("request.edit_which"),
        choices: [...def.steps.map((s) => ({ value: s.key, label: t(s.label) })), { value: back, label: t("request.edit_back") }],
        columns: 2,
      });
      const step = def.steps.find((s) => s.key === field);
      if (step) await askStep(conversation, ctx, step, draft, member, {});
    }

    // The workflow's clock (not conversation.now()), so the filing time and its deadlines follow the
    // same clock as the officers' actions and the scheduled jobs; recorded like any external call.
    const now = await conversation.external(() => clock().getTime());
    const m = member;
    const saved = await conversation.external(async (outer) => {
      // The member as they are now, not as at the dialogue's start (a day may have passed: a new
      // sentra, a membership the chairperson rejected).
      const current = (await findMemberCached(userId)) ?? m;
      // Still the chairperson at Kirim (a day may have passed): otherwise it is not filed for anyone.
      if (forMember && (await sentraChairedBy(userId))?.id !== current.sentraId) return null;
      const r = await submitRequest(
        {
          type: def.type,
          member: { id: m.id, telegramId: userId, sentraId: current.sentraId ?? null, kecamatan: current.kecamatan ?? m.kecamatan! },
          ...(forMember ? { onBehalf: forMember.onBehalf } : {}),
          answers: draft.answers,
          attachments: draft.attachments,
          sourceKey: `telegram:${userId}:${def.type}:${draftId}`,
          now: new Date(now),
          sla: outer.config.sla,
        },
        outer.logger,
      );
      return { code: r.code, id: r.id, contact: await getOfficeContact(), dueAt: r.sla.dueAt?.getTime() ?? null };
    });
    if (!saved) {
      await ctx.reply(t("request.on_behalf.not_chair"), { reply_markup: mainMenuKeyboard(t) });
      return;
    }
    // The dialogue ends here (no wait follows), so a failed edit can be let go: the request is saved.
    // String(err) only: the error's payload holds the summary, the member's answers.
    await markSent().catch((err: unknown) => ctx.logger.warn({ err: String(err) }, "summary not marked as sent"));
    const contact = saved.contact ? t("help.office_contact", { contact: saved.contact }) : "";
    const forLine = forMember ? t("request.on_behalf.sent_line", { name: forMember.onBehalf.name }) : "";
    // By when the member hears from the office (the first-response deadline, in working days).
    const due = saved.dueAt ? t("sla.member_due", { date: formatWitaDate(saved.dueAt, ctx.locale) }) : "";
    const confirmation = { text: t("request.sent", { ...words, code: saved.code }) + due + forLine + contact, reply_markup: mainMenuKeyboard(t) };
    const sent = await ctx.reply(confirmation.text, { reply_markup: confirmation.reply_markup });
    if (isUndelivered(sent)) {
      // Telegram failed now: the code still reaches the member, through the outbox (retried until it does).
      await conversation.external(() =>
        enqueue(
          [{ kind: "member", chat: userId, method: "sendMessage", payload: confirmation, requestId: saved.id, priority: PRIORITY.direct, dedupeKey: `sent:${saved.id}` }],
          new Date(now),
        ),
      );
    }
  };
}

/**
 * Asks one step and writes its answer into the draft (replacing an earlier answer when the member
 * changes it). Returns an answer the member already gave to the next question, if any.
 */
async function askStep(
  conversation: Dialogue,
  ctx: DialogueContext,
  s: StepDefinition,
  draft: Draft,
  member: DialogueMember,
  o: { pending?: Input; next?: StepDefinition; firstPass?: boolean },
): Promise<Input | undefined> {
  const t = ctx.t;
  const prompt = t(s.prompt);
  const pending = o.pending;
  const setFiles = (files: Attachment[]) => {
    draft.attachments = [...draft.attachments.filter((a) => a.field !== s.key), ...files];
  };
  switch (s.kind) {
    case "choice": {
      if (s.optionsFrom === "products") {
        draft.answers[s.key] = await askProduct(conversation, ctx, s, member, { pending, firstPass: o.firstPass });
        return;
      }
      const options = s.options ?? [];
      const picked = await askChoice(conversation, ctx, { prompt, choices: options.map((x) => ({ value: x.value, label: t(x.label) })), columns: s.columns, pending });
      draft.answers[s.key] = picked;
      delete draft.answers[detailKey(s.key)];
      const detail = options.find((x) => x.value === picked)?.detail;
      if (detail) draft.answers[detailKey(s.key)] = await askText(conversation, ctx, { prompt: t(detail.prompt), max: detail.max });
      return;
    }
    case "multi":
      draft.answers[s.key] = await askMulti(conversation, ctx, {
        prompt,
        choices: (s.options ?? []).map((x) => ({ value: x.value, label: t(x.label) })),
        columns: s.columns,
        pending,
      });
      return;
    case "yesno":
      draft.answers[s.key] = await askYesNo(conversation, ctx, { prompt, pending });
      return;
    case "number": {
      const unit = s.unit ?? "count";
      draft.answers[s.key] = await askNumber(conversation, ctx, {
        prompt,
        min: s.min ?? 0,
        max: s.max ?? Number.MAX_SAFE_INTEGER,
        parse: (text) => parseNumber(text, unit),
        format: (n) => formatNumber(n, unit),
        pending,
      });
      return;
    }
    case "text": {
      const skip = s.optional ? [{ label: t("dialog.skip"), value: "" }] : [];
      const text = await askText(conversation, ctx, { prompt, max: s.max ?? TEXT_MAX, suggestions: skip, multiline: s.multiline, pending });
      if (text) draft.answers[s.key] = text;
      else delete draft.answers[s.key];
      return;
    }
    case "text-or-voice": {
      const answer = await askTextOrVoice(conversation, ctx, { prompt, max: s.max ?? TEXT_MAX, optional: s.optional, pending });
      delete draft.answers[s.key];
      if (answer?.kind === "text") draft.answers[s.key] = answer.text;
      const voice = answer?.kind === "voice" ? answer : undefined;
      setFiles(voice ? [{ kind: "voice", field: s.key, fileId: voice.fileId, fileUniqueId: voice.fileUniqueId, duration: voice.duration }] : []);
      return;
    }
    case "photos": {
      const { photos, carry } = await askPhotos(conversation, ctx, { prompt, max: s.max ?? PHOTOS_MAX, optional: s.optional, carry: carriedTo(o.next), pending });
      setFiles(
        photos.map((p) => ({
          kind: "photo",
          field: s.key,
          fileId: p.fileId,
          fileUniqueId: p.fileUniqueId,
          ...(p.caption ? { caption: cutText(p.caption, ATTACHMENT_CAPTION_MAX) } : {}),
        })),
      );
      return carry;
    }
  }
}

/** What a member may send at a photo step as the answer to the next question (buttons are not typed). */
function carriedTo(next: StepDefinition | undefined): ("text" | "voice")[] {
  if (next?.kind === "text-or-voice") return ["text", "voice"];
  if (next?.kind === "text" || next?.kind === "number") return ["text"];
  return [];
}

/**
 * Which product: the member's registered products as buttons (one tap), or typed. A member with one
 * product is not asked on the way to the summary (it is shown there, and Ubah asks with "Produk lain").
 */
async function askProduct(conversation: Dialogue, ctx: DialogueContext, s: StepDefinition, member: DialogueMember, o: { pending?: Input; firstPass?: boolean }): Promise<string> {
  const t = ctx.t;
  const pending = o.pending;
  const products = productChoices(member.products);
  const max = s.max ?? PRODUCT_MAX;
  if (products.length === 1 && o.firstPass && pending === undefined) return products[0];
  if (products.length === 0) return askText(conversation, ctx, { prompt: t(s.prompt), max, pending });
  const other = "__other";
  const picked = await askChoice(conversation, ctx, {
    prompt: t(s.prompt),
    choices: [...products.map((p) => ({ value: p, label: p })), { value: other, label: t("request.other_product") }],
    pending,
  });
  if (picked !== other) return picked;
  return askText(conversation, ctx, { prompt: t("request.ask_product_name"), max });
}

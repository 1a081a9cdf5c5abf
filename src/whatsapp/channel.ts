/**
 * What a member's WhatsApp message does (the inbox worker calls `handle` for each stored message, one
 * sender's in order). A member is found or linked by the verified number (domain/whatsapp-members.ts);
 * the menu offers the request types and the status list; a request is the channel-neutral dialogue
 * (domain/request-machine.ts) and is filed like one from Telegram (submitRequest, idempotent by its
 * draft). The session (whatsappsessions) keeps the dialogue, the message handled last and its
 * replies: a message handled again after a failed send sends its remaining replies and advances
 * nothing twice. Replies go at once (the member just wrote: inside the 24-hour window).
 */
import { randomBytes } from "node:crypto";
import { tFor, typeWords, type TFunction } from "../i18n";
import type { Logger } from "../logger";
import type { Config, Locale } from "../config";
import { REQUEST_TYPES, type RequestType } from "../vocabulary/request-types";
import { findWhatsAppMember } from "../domain/whatsapp-members";
import type { MemberView } from "../domain/members";
import { advance, question, startRequest, typedChoice, type MachineInput, type MachineOutput, type MachineState } from "../domain/request-machine";
import { submitRequest } from "../domain/workflow";
import { memberRequestsPage } from "../domain/queries";
import { requestLine } from "../telegram/request-text";
import { WhatsAppSession } from "../db/models/whatsapp-session";
import type { InboundMessage } from "./inbound";
import type { InboundContent } from "./webhook";
import { renderForWhatsApp, type OutgoingMessage } from "./render";
import type { WhatsAppClient } from "./client";

export interface ChannelDeps {
  client: Pick<WhatsAppClient, "send">;
  config: Pick<Config, "sla" | "defaultLocale">;
  logger: Logger;
  clock: () => Date;
}

const MENU = { status: "menu:status", type: (type: RequestType) => `menu:${type}` } as const;
const WORDS = { menu: /^(menu|halo|hai|hi|hello|mulai|start|bantuan|help)$/i, status: /^(status|cek status)$/i, cancel: /^(batal|cancel|stop)$/i };

function inputOf(content: InboundContent): MachineInput {
  if (content.type === "text") return { kind: "text", text: content.text };
  if (content.type === "button" || content.type === "list") return { kind: "choice", id: content.id };
  return { kind: "other" };
}

function menu(t: TFunction, lead?: string): MachineOutput {
  return {
    text: `${lead ? `${lead}\n\n` : ""}${t("whatsapp.menu")}`,
    choices: [...REQUEST_TYPES.map((type) => ({ id: MENU.type(type), label: t(`labels.type.${type}`) })), { id: MENU.status, label: t("whatsapp.menu_status") }],
  };
}

async function statusList(t: TFunction, locale: Locale, member: MemberView, now: Date): Promise<MachineOutput> {
  const page = await memberRequestsPage(member.id, 0);
  if (page.items.length === 0) return { text: t("status.none") };
  return { text: [t("whatsapp.status_title", { count: page.total }), ...page.items.map((r) => requestLine(t, locale, r, now))].join("\n\n") };
}

export function createWhatsAppChannel(deps: ChannelDeps) {
  /** The replies of this message: computed once, stored with the session, then sent. */
  async function replies(message: InboundMessage, member: MemberView | null, session: { dialogue: MachineState | null; draftId: string | null }, t: TFunction, locale: Locale) {
    const now = deps.clock();
    const input = inputOf(message.content);
    let { dialogue, draftId } = session;
    const out: MachineOutput[] = [];
    if (!member?.registered) {
      out.push({ text: t("whatsapp.not_registered") });
      return { dialogue: null, draftId: null, out };
    }
    const typed = input.kind === "text" ? input.text.trim() : "";
    if (dialogue && WORDS.cancel.test(typed)) {
      out.push(menu(t, t("dialog.cancelled")));
      return { dialogue: null, draftId: null, out };
    }
    if (dialogue && (message.content.type === "image" || message.content.type === "audio")) {
      // Media are not copied to the officers' card from WhatsApp yet: said so, the question again.
      return { dialogue, draftId, out: [{ text: t("whatsapp.media_later") }, question(dialogue, t, { products: member.products })] };
    }
    if (dialogue) {
      const r = advance(dialogue, input, t, { products: member.products });
      out.push(...r.out);
      if (!("done" in r)) return { dialogue: r.state, draftId, out };
      if (r.done === "cancel") return { dialogue: null, draftId: null, out: [...out, menu(t)] };
      const saved = await submitRequest(
        {
          type: r.state.type,
          member: { id: member.id, telegramId: member.telegramId, sentraId: member.sentraId ?? null, kecamatan: member.kecamatan! },
          answers: r.state.answers,
          attachments: [],
          sourceKey: `whatsapp:${member.id}:${r.state.type}:${draftId}`,
          now,
          sla: deps.config.sla,
        },
        deps.logger,
      );
      out.push({ text: `${t("request.sent", { ...typeWords(t, saved.type), code: saved.code })}\n\n${t("whatsapp.updates_on_telegram")}` });
      return { dialogue: null, draftId: null, out };
    }
    if (message.content.type === "unsupported") return { dialogue: null, draftId: null, out: [{ text: t("whatsapp.unsupported") }, menu(t)] };
    const menuChoices = menu(t).choices!;
    const picked = input.kind === "choice" ? input.id : WORDS.status.test(typed) ? MENU.status : typed && !WORDS.menu.test(typed) ? typedChoice(menuChoices, typed) : undefined;
    if (picked === MENU.status) return { dialogue: null, draftId: null, out: [await statusList(t, locale, member, now), menu(t)] };
    const type = REQUEST_TYPES.find((x) => picked === MENU.type(x));
    if (type) {
      const started = startRequest(type, t, { products: member.products });
      dialogue = started.state;
      draftId = randomBytes(6).toString("base64url");
      return { dialogue, draftId, out: started.out };
    }
    return { dialogue: null, draftId: null, out: [menu(t, input.kind === "choice" ? t("dialog.old_button_group") : undefined)] };
  }

  return async function handle(message: InboundMessage): Promise<void> {
    const now = deps.clock();
    const member = await findWhatsAppMember({ from: message.from, userId: message.userId }, now);
    const locale: Locale = member?.locale ?? deps.config.defaultLocale;
    const t = tFor(locale);
    const key = member ? `member:${member.id}` : `sender:${message.from ?? message.userId}`;
    const to = message.from;
    const stored = await WhatsAppSession.findById(key).lean();
    let doc: { replies: string; sent: number } | null = stored?.handled === message.wamid ? stored : null;
    if (!doc) {
      const session = { dialogue: stored?.dialogue ? (JSON.parse(stored.dialogue) as MachineState) : null, draftId: stored?.draftId ?? null };
      const r = await replies(message, member, session, t, locale);
      const rendered: OutgoingMessage[] = r.out.flatMap((o) => renderForWhatsApp(o, t));
      const set = {
        dialogue: r.dialogue ? JSON.stringify(r.dialogue) : null,
        draftId: r.draftId,
        handled: message.wamid,
        replies: JSON.stringify(rendered),
        sent: 0,
        updatedAt: now,
      };
      await WhatsAppSession.updateOne({ _id: key }, { $set: set }, { upsert: true });
      doc = set;
    }
    if (!to) {
      deps.logger.warn("WhatsApp message without a number: no reply possible yet");
      return;
    }
    const pending = JSON.parse(doc.replies) as OutgoingMessage[];
    for (let i = doc.sent; i < pending.length; i++) {
      await deps.client.send(to, pending[i]);
      await WhatsAppSession.updateOne({ _id: key, handled: message.wamid }, { $set: { sent: i + 1 } });
    }
  };
}

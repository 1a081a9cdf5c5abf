/**
 * What a member's WhatsApp message does (the inbox worker calls `handle` for each stored message, one
 * sender's in order). A member is found or linked by the verified number (domain/whatsapp-members.ts);
 * the menu offers the request types and the status list; a request is the channel-neutral dialogue
 * (domain/request-machine.ts) and is filed like one from Telegram (submitRequest, idempotent by its
 * draft). The session (whatsappsessions) keeps the dialogue, the message handled last and its
 * replies: a message handled again after a failed send sends its remaining replies and advances
 * nothing twice. Replies go at once (the member just wrote: inside the 24-hour window). Every message
 * lets go the updates held for the member outside the window (whatsapp/dispatcher.ts); the buttons
 * under those updates and the answers they ask for are follow-ups.ts's.
 */
import { randomBytes } from "node:crypto";
import { tFor, typeWords, type TFunction } from "../i18n";
import type { Logger } from "../logger";
import type { Config, Locale } from "../config";
import { REQUEST_TYPES, type RequestType } from "../vocabulary/request-types";
import { findWhatsAppSender, linkConfirmed, registerWhatsAppMember, typedPhoneMatch } from "../domain/whatsapp-members";
import { advanceRegistration, startRegistration, type RegistrationState } from "../domain/registration-machine";
import { findSentraBySlug, listSentras } from "../domain/sentras";
import { slugFromWhatsAppText } from "../telegram/sentra-link";
import { queueMembershipReview } from "../domain/chairpersons";
import type { MemberView } from "../domain/members";
import { advance, question, startRequest, typedChoice, type MachineInput, type MachineOutput, type MachineState } from "../domain/request-machine";
import { submitRequest } from "../domain/workflow";
import { memberRequestsPage } from "../domain/queries";
import { requestLine } from "../telegram/request-text";
import { WhatsAppSession, whatsAppSessionWrites } from "../db/models/whatsapp-session";
import { ReadCache } from "../lib/read-cache";
import { WATCHED_WRITE_INVALIDATIONS } from "../db/write-watch";
import type { InboundMessage } from "./inbound";
import type { InboundContent } from "./webhook";
import { renderForWhatsApp, type OutgoingMessage } from "./render";
import type { WhatsAppClient } from "./client";
import { answerFollowUp, pressFollowUp, type Awaiting, type ReplyWait } from "./follow-ups";
import { offerFreeMessage, pickFreeMessage } from "./free-messages";
import { copyMedia } from "./media";
import { account, accountChoices } from "./account";
import { TEMPLATE_TAP } from "./dispatcher";
import { releaseHeldFor } from "../domain/whatsapp-outbox";
import { requestOfWhatsAppMessage } from "../domain/whatsapp-outbox";
import { licenceNumberReply, licenceProfile, memberProgramList, programPress } from "../telegram/program-messages";
import { programsForMember } from "../domain/programs";

/** Messages remembered per session as handled (a crash can leave a few handled ones to be taken again). */
const RECENT_KEPT = 20;

interface StoredSession {
  registration: string | null;
  dialogue: string | null;
  draftId: string | null;
  awaiting: string | null;
  handled: string | null;
  recent: string[];
  replies: string;
  sent: number;
  updatedAt: Date;
}

/**
 * The sessions, read from memory while this process is alone on the database (every write goes to
 * the database first; another process's writes only happen while shared, when each is read fresh).
 */
function sessionStore(shared: () => boolean) {
  const cache = new ReadCache<string, StoredSession | null>({ max: 5_000, ttlMs: 10 * 60_000, version: () => whatsAppSessionWrites.version });
  whatsAppSessionWrites.onKeyedWrite((key) => cache.invalidate(String(key)));
  const load = async (key: string) => (await WhatsAppSession.findById(key, { _id: 0 }).lean()) as StoredSession | null;
  return {
    async read(key: string): Promise<StoredSession | null> {
      if (!shared()) return cache.getOrLoad(key, () => load(key));
      cache.clear();
      return load(key);
    },
    async write(key: string, set: StoredSession): Promise<void> {
      const stamp = cache.stampFor(key);
      await WhatsAppSession.updateOne({ _id: key }, { $set: set }, { upsert: true });
      cache.setOwnWrite(key, set, stamp, WATCHED_WRITE_INVALIDATIONS);
    },
    async sentSoFar(key: string, wamid: string, sent: number): Promise<void> {
      await WhatsAppSession.updateOne({ _id: key, handled: wamid }, { $set: { sent } });
    },
  };
}

export interface ChannelDeps {
  client: Pick<WhatsAppClient, "send" | "mediaInfo" | "downloadMedia">;
  config: Pick<Config, "sla" | "defaultLocale">;
  logger: Logger;
  clock: () => Date;
  /** Updates held for a member were let go: the WhatsApp dispatcher should run. */
  wakeOutbox?: () => void;
  /** Whether another process serves the database (db/presence.ts): sessions are then read fresh. */
  shared?: () => boolean;
}

interface Session {
  registration: RegistrationState | null;
  dialogue: MachineState | null;
  draftId: string | null;
  awaiting: Awaiting | null;
}

interface Replies extends Session {
  out: MachineOutput[];
}

const MENU = { status: "menu:status", type: (type: RequestType) => `menu:${type}` } as const;
/** Words that do what the commands do on Telegram (with or without the slash: members see /batal in some texts). */
const WORDS = {
  menu: /^\/?(menu|halo|hai|hi|hello|mulai|start|bantuan|help)$/i,
  status: /^\/?(status|cek status)$/i,
  cancel: /^\/?(batal|cancel|stop)$/i,
  program: /^\/?(program|programs|pelatihan saya)$/i,
  licences: /^\/?(izin|izin usaha|licen[cs]es?)$/i,
};

function inputOf(content: InboundContent): MachineInput {
  if (content.type === "text") return { kind: "text", text: content.text };
  if (content.type === "button" || content.type === "list") return { kind: "choice", id: content.id };
  return { kind: "other" };
}

function menu(t: TFunction, lead?: string): MachineOutput {
  return {
    text: `${lead ? `${lead}\n\n` : ""}${t("whatsapp.menu")}`,
    choices: [
      ...REQUEST_TYPES.map((type) => ({ id: MENU.type(type), label: t(`labels.type.${type}`) })),
      { id: MENU.status, label: t("whatsapp.menu_status") },
      ...accountChoices(t),
    ],
  };
}

const LINK = { yes: "link:yes", no: "link:no" } as const;

/** "Is this you?" for a member whose typed phone is this number (whose record it is stays in the session, not in the buttons). */
function linkQuestion(t: TFunction, name: string): MachineOutput {
  return {
    text: t("whatsapp.link_ask", { name }),
    choices: [
      { id: LINK.yes, label: t("whatsapp.link_yes") },
      { id: LINK.no, label: t("whatsapp.link_no") },
    ],
  };
}

async function statusList(t: TFunction, locale: Locale, member: MemberView, now: Date): Promise<MachineOutput> {
  const page = await memberRequestsPage(member.id, 0);
  if (page.items.length === 0) return { text: t("status.none") };
  return { text: [t("whatsapp.status_title", { count: page.total }), ...page.items.map((r) => requestLine(t, locale, r, now))].join("\n\n") };
}

export function createWhatsAppChannel(deps: ChannelDeps) {
  const sessions = sessionStore(deps.shared ?? (() => false));
  /** An unknown number: registration (consent first), then the menu. */
  async function register(message: InboundMessage, state: RegistrationState | null, input: MachineInput, t: TFunction, locale: Locale, now: Date): Promise<Replies> {
    const none = { dialogue: null, draftId: null, awaiting: null };
    const sender = message.from ? { from: message.from, userId: message.userId } : null;
    // A member registered on Telegram typed this number as theirs: asked first whether that is them.
    const match = !state && sender ? await typedPhoneMatch(sender.from) : null;
    if (match) return { ...none, registration: { step: "consent", linkCandidate: match }, out: [{ text: t("whatsapp.welcome") }, linkQuestion(t, match.name)] };
    if (state?.linkCandidate && sender) {
      const q = linkQuestion(t, state.linkCandidate.name);
      const pick = input.kind === "choice" ? input.id : input.kind === "text" ? typedChoice(q.choices!, input.text) : undefined;
      if (pick === LINK.yes) {
        const linked = await linkConfirmed(state.linkCandidate.memberId, sender, now);
        if (linked) return { ...none, registration: null, out: [menu(t, t("whatsapp.linked", { name: linked.name }))] };
      }
      if (pick !== LINK.yes && pick !== LINK.no)
        return { ...none, registration: state, out: [{ text: t(input.kind === "choice" ? "dialog.stale_button" : "dialog.expect_choice") }, q] };
      const fresh = startRegistration(t, message.name);
      return { ...none, registration: fresh.state, out: fresh.out };
    }
    if (!state || !sender) {
      // Came by a sentra's wa.me link ("Daftar s-<slug>"): its kecamatan and sentra are filled in.
      const slug = input.kind === "text" ? slugFromWhatsAppText(input.text) : null;
      const linked = slug ? await findSentraBySlug(slug) : null;
      const started = startRegistration(t, message.name, linked ? { id: linked.id, name: linked.name, kecamatan: linked.kecamatan } : undefined);
      return { ...none, registration: message.from ? started.state : null, out: [{ text: t("whatsapp.welcome") }, ...(message.from ? started.out : [])] };
    }
    const r = await advanceRegistration(state, input, t, {
      sentrasIn: async (k) => (await listSentras(k)).filter((s) => s.kecamatan === k).map((s) => ({ id: s.id, name: s.name })),
    });
    if (!("done" in r)) return { ...none, registration: r.state, out: r.out };
    if (r.done === "declined") return { ...none, registration: null, out: r.out };
    const member = await registerWhatsAppMember(sender, r.registration, now, locale);
    await queueMembershipReview(member.telegramId, now, locale);
    deps.logger.info("a member registered on WhatsApp");
    const done = t("onboarding.done", { name: r.registration.name, businessName: r.registration.businessName, kecamatan: r.registration.kecamatan, sentra: r.sentraName });
    return { ...none, registration: null, out: [menu(t, done)] };
  }

  /** The replies of this message: computed once, stored with the session, then sent. */
  async function replies(message: InboundMessage, member: MemberView | null, session: Session, t: TFunction, locale: Locale, released: number): Promise<Replies> {
    const now = deps.clock();
    const basis = { now, sla: deps.config.sla };
    const input = inputOf(message.content);
    const { dialogue, draftId, awaiting } = session;
    const keep = (out: MachineOutput[], over: Partial<Session> = {}): Replies => ({ registration: null, dialogue, draftId, awaiting, ...over, out });
    const idle = (out: MachineOutput[]): Replies => ({ registration: null, dialogue: null, draftId: null, awaiting: null, out });
    if (!member?.registered) return register(message, session.registration, input, t, locale, now);
    const typed = input.kind === "text" ? input.text.trim() : "";
    if ((dialogue || awaiting) && WORDS.cancel.test(typed)) return idle([menu(t, t("dialog.cancelled"))]);
    // The update template's button: the held updates follow (nothing else to say), or there are none.
    if (input.kind === "choice" && input.id === TEMPLATE_TAP) return keep(released > 0 ? [] : [menu(t, t("whatsapp.no_news"))]);
    if (input.kind === "choice") {
      // A program's buttons (Daftar, Tidak bisa, Batal ikut, a licence): as on Telegram; a dialogue in progress stays.
      const program = await programPress(input.id, member.telegramId, t, locale, now);
      if (program) return keep([program, ...(dialogue ? [question(dialogue, t, { products: member.products })] : [])]);
      const followUp = await pressFollowUp(input.id, member, t, basis);
      if (followUp) {
        // A dialogue in progress stays; its question comes again after the follow-up's.
        const again = dialogue && !followUp.awaiting ? [question(dialogue, t, { products: member.products })] : [];
        return keep([...followUp.out, ...again], { awaiting: followUp.awaiting });
      }
    }
    // The office's contact, the language, erasure: from the menu, by a word outside a dialogue, or their buttons.
    if (!dialogue || input.kind === "choice") {
      const acc = await account(input.kind === "choice" ? input.id : undefined, dialogue ? "" : typed, member, t, now);
      if (acc?.erased) return idle(acc.out);
      if (acc) return keep(dialogue ? [...acc.out, question(dialogue, t, { products: member.products })] : acc.out);
    }
    // A free message waits for "which request?": a number or a word from the list (a menu pick or word leaves it).
    const freeWait = !dialogue && awaiting?.kind === "free" ? awaiting : null;
    if (freeWait && !(input.kind === "choice" && !input.id.startsWith("free:")) && !WORDS.menu.test(typed) && !WORDS.status.test(typed)) {
      const r = await pickFreeMessage(freeWait, input, member, t, basis);
      return keep(r.menu ? [...r.out, menu(t)] : r.out, { awaiting: r.wait });
    }
    // A photo or voice note is wanted by a dialogue or an answer: copied now (Meta's link lasts minutes).
    const content = message.content;
    let given: MachineInput = input;
    // A reply (quote) to an update about a request goes to its officers, as a reply does on Telegram.
    const repliedTo = !dialogue && message.replyTo ? await requestOfWhatsAppMessage(message.replyTo) : null;
    const answering: ReplyWait | null = repliedTo?.requestId ? { kind: "answer", requestId: repliedTo.requestId } : awaiting?.kind === "free" ? null : awaiting;
    if ((dialogue || answering) && (content.type === "image" || content.type === "audio")) {
      const copied = await copyMedia(deps.client, content, member.telegramId, now);
      if (copied === "too_big" || copied === "refused") {
        const again = dialogue ? [question(dialogue, t, { products: member.products })] : [];
        return keep([{ text: t(copied === "too_big" ? "whatsapp.media_too_big" : "whatsapp.media_failed") }, ...again]);
      }
      given = copied;
    }
    if (answering && !dialogue && input.kind !== "choice" && !WORDS.menu.test(typed) && !WORDS.status.test(typed)) {
      const r = await answerFollowUp(answering, given, member, message.wamid, t, basis);
      return keep(r.out, { awaiting: r.awaiting });
    }
    if (dialogue) {
      const r = advance(dialogue, given, t, { products: member.products });
      if (!("done" in r)) return keep(r.out, { dialogue: r.state });
      if (r.done === "cancel") return idle([...r.out, menu(t)]);
      const saved = await submitRequest(
        {
          type: r.state.type,
          member: { id: member.id, telegramId: member.telegramId, sentraId: member.sentraId ?? null, kecamatan: member.kecamatan! },
          answers: r.state.answers,
          attachments: r.state.attachments.map((a) => ({
            kind: a.kind,
            field: a.field,
            fileId: a.ref,
            fileUniqueId: a.ref,
            ...(a.caption ? { caption: a.caption } : {}),
            ...(a.duration ? { duration: a.duration } : {}),
          })),
          sourceKey: `whatsapp:${member.id}:${r.state.type}:${draftId}`,
          now,
          sla: deps.config.sla,
        },
        deps.logger,
      );
      return idle([...r.out, { text: t("request.sent", { ...typeWords(t, saved.type), code: saved.code }) }]);
    }
    if (message.content.type === "unsupported") return idle([{ text: t("whatsapp.unsupported") }, menu(t)]);
    const menuChoices = menu(t).choices!;
    const picked = input.kind === "choice" ? input.id : WORDS.status.test(typed) ? MENU.status : typed && !WORDS.menu.test(typed) ? typedChoice(menuChoices, typed) : undefined;
    if (picked === MENU.status) return idle([await statusList(t, locale, member, now), menu(t)]);
    if (WORDS.program.test(typed)) {
      const { open, mine } = await programsForMember({ telegramId: member.telegramId, sentraId: member.sentraId ?? null, kecamatan: member.kecamatan ?? null }, now);
      return idle(memberProgramList(t, open, mine, locale, now, member.licences));
    }
    if (WORDS.licences.test(typed)) return idle([licenceProfile(t, member.licences)]);
    const licence = input.kind === "text" && typed ? await licenceNumberReply(typed, member.telegramId, t) : null;
    if (licence) return idle([licence]);
    const type = REQUEST_TYPES.find((x) => picked === MENU.type(x));
    if (type) {
      const started = startRequest(type, t, { products: member.products });
      return { registration: null, dialogue: started.state, draftId: randomBytes(6).toString("base64url"), awaiting: null, out: started.out };
    }
    // Words that are no menu choice: for one of the member's open requests? (none open: the menu).
    const offer = input.kind === "text" && typed && !WORDS.menu.test(typed) && !picked ? await offerFreeMessage(typed, member, message.wamid, t) : null;
    if (offer) return { ...idle(offer.out), awaiting: offer.wait };
    return idle([menu(t, input.kind === "choice" ? t("dialog.old_button_group") : undefined)]);
  }

  return async function handle(message: InboundMessage): Promise<void> {
    const now = deps.clock();
    const found = await findWhatsAppSender({ from: message.from, userId: message.userId }, now);
    const member = found?.member ?? null;
    const locale: Locale = member?.locale ?? deps.config.defaultLocale;
    const t = tFor(locale);
    const key = member ? `member:${member.id}` : `sender:${message.from ?? message.userId}`;
    const to = message.from;
    // The member wrote: the window is open again, and what waited for it goes now.
    const released = member && found?.mayHaveHeld ? await releaseHeldFor(member.telegramId, now) : 0;
    if (released > 0) deps.wakeOutbox?.();
    const stored = await sessions.read(key);
    // Taken again after a crash, though handled before (its done mark was not written yet): nothing to do.
    if (stored?.recent?.includes(message.wamid) && stored.handled !== message.wamid) return;
    let doc: { replies: string; sent: number } | null = stored?.handled === message.wamid ? stored : null;
    if (!doc) {
      const session: Session = {
        registration: stored?.registration ? (JSON.parse(stored.registration) as RegistrationState) : null,
        dialogue: stored?.dialogue ? (JSON.parse(stored.dialogue) as MachineState) : null,
        draftId: stored?.draftId ?? null,
        awaiting: stored?.awaiting ? (JSON.parse(stored.awaiting) as Awaiting) : null,
      };
      const r = await replies(message, member, session, t, locale, released);
      const rendered: OutgoingMessage[] = r.out.flatMap((o) => renderForWhatsApp(o, t));
      const set: StoredSession = {
        registration: r.registration ? JSON.stringify(r.registration) : null,
        dialogue: r.dialogue ? JSON.stringify(r.dialogue) : null,
        draftId: r.draftId,
        awaiting: r.awaiting ? JSON.stringify(r.awaiting) : null,
        handled: message.wamid,
        recent: [...(stored?.recent ?? []), message.wamid].slice(-RECENT_KEPT),
        replies: JSON.stringify(rendered),
        sent: 0,
        updatedAt: now,
      };
      await sessions.write(key, set);
      doc = set;
    }
    if (!to) {
      deps.logger.warn("WhatsApp message without a number: no reply possible yet");
      return;
    }
    const pending = JSON.parse(doc.replies) as OutgoingMessage[];
    for (let i = doc.sent; i < pending.length; i++) {
      try {
        await deps.client.send(to, pending[i]);
      } catch (err) {
        // Handled again later: from the reply that failed (the ones before it went).
        if (i > doc.sent) await sessions.sentSoFar(key, message.wamid, i).catch(() => undefined);
        throw err;
      }
    }
  };
}

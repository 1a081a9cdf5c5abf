/**
 * Sends the outbox's WhatsApp items (domain/outbox.ts routes a member's items here when they last
 * wrote on WhatsApp). Each item is written as for Telegram (delivery/prepare-item.ts, the one
 * definition of every message), read back as neutral output (from-telegram.ts) and rendered for
 * WhatsApp (render.ts). One member's items keep their order (a later one waits behind an earlier
 * one). Inside the 24-hour window they go as they are; outside it, or when Meta answers 131047, the
 * member gets the update template once (code and a one-line summary, a quick-reply button) and the
 * items wait until the member writes (channel.ts lets them go). A photo or voice note from an
 * officer is copied from Telegram and uploaded to Meta. Meta's refusals are classified by code
 * (classify-failure.ts): retried with backoff, slowed down for the pair rate, or given up with a
 * mark on the request's card. Several dispatchers may run at once: an item is sent by its lease holder.
 */
import type { Logger } from "../logger";
import type { Config, WhatsAppSettings } from "../config";
import { leaseItem, markFailed, markRetry, MEMBER_KINDS, onOutboxQueued, pendingItems, type OutboxItem } from "../domain/outbox";
import {
  holdForMember,
  markFailureHandled,
  markSentOnWhatsApp,
  markWindowClosed,
  recordTemplateSent,
  unhandledFailures,
  whatsappRecipient,
  windowOpen,
  type WhatsAppRecipient,
} from "../domain/whatsapp-outbox";
import { markMemberReachable, recordDeliveryFailure } from "../domain/request-effects";
import { findRequestById } from "../domain/requests";
import { prepareItem } from "../delivery/prepare-item";
import { tFor, type TFunction } from "../i18n";
import { classifyWhatsAppFailure } from "./classify-failure";
import { fromTelegramCall } from "./from-telegram";
import { htmlToWhatsApp, templateParameter } from "./format";

/** Meta's limit for a media caption. */
const WA_CAPTION_MAX = 1024;
import { renderForWhatsApp, type OutgoingMessage } from "./render";
import type { WhatsAppClient } from "./client";

/** The quick-reply payload of the update template: a tap brings the waiting messages. */
export const TEMPLATE_TAP = "wa:kabar";

/** A Telegram file (an officer's photo or voice note) as bytes, for uploading to Meta. */
export type TelegramFileReader = (fileId: string) => Promise<{ bytes: Uint8Array; mime: string }>;

export interface WhatsAppDispatcherDeps {
  client: Pick<WhatsAppClient, "send" | "sendTemplate" | "sendImage" | "sendAudio" | "uploadMedia">;
  settings: Pick<WhatsAppSettings, "template">;
  config: Pick<Config, "sla" | "defaultLocale">;
  logger: Logger;
  clock: () => Date;
  telegramFile?: TelegramFileReader;
  pollMs?: number;
}

type Outcome = "sent" | "failed" | "held" | "retry" | "skipped";

export interface WhatsAppDispatcher {
  runOnce(): Promise<{ sent: number; pending: number }>;
  drain(maxRuns?: number): Promise<{ sent: number; pending: number }>;
  start(): void;
  stop(): Promise<void>;
  nudge(): void;
}

/** What the template says an item is about (one line, no member data: the template is billed and shown in notifications). */
function summaryOf(item: OutboxItem, t: TFunction): string {
  return templateParameter(t(`whatsapp.summary.${item.kind === "member_relay" ? "relay" : item.kind === "member_ack" ? "ack" : "member"}`));
}

export function createWhatsAppDispatcher(deps: WhatsAppDispatcherDeps): WhatsAppDispatcher {
  const log = deps.logger.child({ component: "whatsapp-dispatcher" });
  const basisAt = (now: Date) => ({ now, sla: deps.config.sla });

  async function sendTemplate(item: OutboxItem, to: string, r: WhatsAppRecipient, t: TFunction, now: Date): Promise<Outcome> {
    // One template per absence: the items behind it wait for the same tap.
    let wamid: string | undefined;
    if (!r.templateAt || (r.lastInboundAt && r.templateAt < r.lastInboundAt)) {
      const code = item.requestId ? ((await findRequestById(item.requestId))?.code ?? null) : null;
      wamid = await deps.client.sendTemplate(to, deps.settings.template, [code ?? "-", summaryOf(item, t)], TEMPLATE_TAP);
      await recordTemplateSent(r.memberId, item.chatId ?? 0, code, now);
      log.info({ item: item.id, kind: item.kind }, "outside the 24-hour window: update template sent");
    }
    await holdForMember(item.id, "outside the 24-hour window: waiting for the member", wamid);
    return "held";
  }

  /** The item's messages for WhatsApp: its text and choices, and an officer's photo or voice note uploaded. */
  async function render(
    item: OutboxItem,
    t: TFunction,
    now: Date,
  ): Promise<{ messages: OutgoingMessage[]; media?: { kind: "photo" | "voice"; id: string; caption: string } } | "gone"> {
    const prepared = await prepareItem(item, 0, now);
    if (prepared === "gone" || prepared === "unchanged") return "gone";
    const read = fromTelegramCall(prepared);
    if (!read) return "gone";
    if (read.media && deps.telegramFile) {
      const file = await deps.telegramFile(read.media.fileId);
      const id = await deps.client.uploadMedia(file.bytes, file.mime, read.media.kind === "photo" ? "foto.jpg" : "suara.ogg");
      // A photo carries the words as its caption when they fit and need no buttons; otherwise (and for a
      // voice note, which takes no caption) the media goes first and the words follow, buttons last.
      const caption = htmlToWhatsApp(read.out.text);
      if (read.media.kind === "photo" && !read.out.choices?.length && [...caption].length <= WA_CAPTION_MAX) return { messages: [], media: { kind: "photo", id, caption } };
      return { messages: renderForWhatsApp(read.out, t), media: { kind: read.media.kind, id, caption: "" } };
    }
    return { messages: renderForWhatsApp(read.out, t) };
  }

  async function processItem(snapshot: OutboxItem): Promise<Outcome> {
    const lease = await leaseItem(snapshot.id);
    if (!lease) return "skipped";
    const { item, release } = lease;
    const now = deps.clock();
    try {
      if (item.nextAttemptAt.getTime() > now.getTime()) return "skipped";
      const r = item.chatId === null ? null : await whatsappRecipient(item.chatId);
      if (!r?.waId) {
        await markFailed(item.id, "no WhatsApp number for this member");
        if (MEMBER_KINDS.has(item.kind) && item.requestId) await recordDeliveryFailure(item.requestId, "WhatsApp: nomor tidak dikenal", basisAt(now));
        return "failed";
      }
      const t = tFor(r.locale ?? deps.config.defaultLocale);
      try {
        if (!windowOpen(r, now)) return await sendTemplate(item, r.waId, r, t, now);
        const rendered = await render(item, t, now);
        if (rendered === "gone") {
          await markFailed(item.id, "nothing to send any more");
          return "failed";
        }
        const ids: string[] = [];
        // Sent one after the other; a retry starts again after the ones that went (`waSent` in the ref).
        const done = item.ref.waSent ?? 0;
        const all = rendered.messages.map((m) => () => deps.client.send(r.waId!, m));
        const media = rendered.media;
        if (media) all.unshift(() => (media.kind === "photo" ? deps.client.sendImage(r.waId!, media.id, media.caption || undefined) : deps.client.sendAudio(r.waId!, media.id)));
        for (let i = done; i < all.length; i++) {
          try {
            ids.push(await all[i]());
          } catch (err) {
            if (i > done) await markRetry(item.id, now, null, false, { ...item.ref, waSent: i });
            throw err;
          }
        }
        await markSentOnWhatsApp(item.id, deps.clock(), ids);
        if (MEMBER_KINDS.has(item.kind) && item.requestId) await markMemberReachable(item.requestId, basisAt(now)).catch(() => undefined);
        return "sent";
      } catch (err) {
        return await onError(item, err, r, t, now);
      }
    } finally {
      await release();
    }
  }

  async function onError(item: OutboxItem, err: unknown, r: WhatsAppRecipient, t: TFunction, now: Date): Promise<Outcome> {
    const decision = classifyWhatsAppFailure(err, item.attempts);
    const where = { item: item.id, kind: item.kind, attempts: item.attempts + 1 };
    switch (decision.action) {
      case "use_template": {
        const closed = { ...r, lastInboundAt: await markWindowClosed(item.chatId ?? 0, now) };
        return sendTemplate(item, r.waId!, closed, t, now).catch(async (again: unknown) => onError(item, again, closed, t, now));
      }
      case "retry":
      case "slow_down":
        await markRetry(item.id, new Date(now.getTime() + decision.delayMs), decision.note, true);
        log.warn(
          { ...where, error: decision.note.slice(0, 200) },
          decision.action === "slow_down" ? "WhatsApp pair rate: slowing down for this member" : "WhatsApp delivery failed; will retry",
        );
        return "retry";
      case "give_up":
        await markFailed(item.id, decision.note);
        log.warn({ ...where, error: decision.note }, "WhatsApp refused the message; not retried");
        if (MEMBER_KINDS.has(item.kind) && item.requestId) await recordDeliveryFailure(item.requestId, `WhatsApp ${decision.note}`, basisAt(now));
        return "failed";
    }
  }

  /** Meta said a message failed after accepting it (status webhook): the request's card shows it. */
  async function showFailures() {
    for (const f of await unhandledFailures()) {
      if (f.requestId) await recordDeliveryFailure(f.requestId, f.note, basisAt(deps.clock()));
      log.warn({ wamid: f.wamid, request: f.requestId, error: f.note }, "WhatsApp reported a message as not delivered");
      await markFailureHandled(f.id, deps.clock());
    }
  }

  async function runOnce() {
    await showFailures();
    const items = await pendingItems(500, "whatsapp");
    const blocked = new Set<number>();
    let sent = 0;
    for (const it of items) {
      const chat = it.chatId ?? 0;
      if (blocked.has(chat)) continue;
      if (it.nextAttemptAt.getTime() > deps.clock().getTime()) {
        blocked.add(chat);
        continue;
      }
      const o = await processItem(it).catch((err: unknown) => {
        log.error({ item: it.id, err: err instanceof Error ? err.message : String(err) }, "WhatsApp item could not be handled");
        return "retry" as const;
      });
      if (o === "sent") sent++;
      if (o !== "sent" && o !== "failed") blocked.add(chat);
    }
    return { sent, pending: (await pendingItems(500, "whatsapp")).filter((i) => i.nextAttemptAt.getTime() <= deps.clock().getTime()).length };
  }

  let chain: Promise<unknown> = Promise.resolve();
  const serial = () => {
    const run = chain.then(runOnce);
    chain = run.catch(() => undefined);
    return run;
  };
  let stopped = true;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;
  const pollMs = deps.pollMs ?? 5_000;

  return {
    runOnce: serial,
    async drain(maxRuns = 20) {
      let report = await serial();
      for (let i = 1; i < maxRuns && report.sent > 0; i++) report = await serial();
      return report;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      unsubscribe = onOutboxQueued(() => wake?.());
      loop = (async () => {
        while (!stopped) {
          await serial().catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, "WhatsApp dispatcher run failed"));
          if (stopped) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
      })();
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      wake?.();
      await loop;
      await chain;
    },
    nudge: () => wake?.(),
  };
}

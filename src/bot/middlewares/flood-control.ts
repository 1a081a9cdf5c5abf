import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context";
import type { Locale } from "../../config";
import { pickLocale, tFor } from "../../i18n";
import { peekCachedMember } from "../../domain/members";

export interface FloodOptions {
  /** Messages (and button presses) a member may send within the window; 0 turns flood control off. */
  max: number;
  windowMs: number;
  defaultLocale: Locale;
  now?: () => number;
}

interface Sender {
  /** Arrival times within the window, oldest first. */
  times: number[];
  warned: boolean;
  lastMediaGroup?: string;
}

/**
 * A member who sends more than `max` messages within the window is told once, politely, to slow
 * down; further messages are dropped until the window has room again. Everyone else is not affected.
 * Installed first, before `sequentialize`: a flood is dropped at once, without queueing or a database
 * round trip. Kept in memory, per process (one bot process serves the database; a restart forgets).
 * An album (media group) counts as one message: Telegram delivers its photos as separate updates.
 * Only private chats count: the officers' group is never answered with a warning.
 */
export function floodControl(o: FloodOptions): MiddlewareFn<BotContext> {
  const senders = new Map<number, Sender>();
  const now = o.now ?? Date.now;
  let calls = 0;

  const sweep = (t: number) => {
    for (const [id, s] of senders) if ((s.times.at(-1) ?? 0) <= t - o.windowMs) senders.delete(id);
  };

  return async (ctx, next) => {
    const from = ctx.from;
    if (o.max <= 0 || !from || ctx.chat?.type !== "private" || !(ctx.message || ctx.callbackQuery)) return next();
    const t = now();
    if (++calls % 1000 === 0) sweep(t);

    let s = senders.get(from.id);
    if (!s) senders.set(from.id, (s = { times: [], warned: false }));
    while (s.times.length > 0 && s.times[0] <= t - o.windowMs) s.times.shift();
    if (s.times.length < o.max) s.warned = false;

    const group = ctx.message?.media_group_id;
    const counted = !(group && group === s.lastMediaGroup);
    s.lastMediaGroup = group;
    if (!counted || s.times.length < o.max) {
      if (counted) s.times.push(t);
      return next();
    }

    // Over the limit: drop, and say so once per flood.
    const warn = !s.warned;
    s.warned = true;
    const text = tFor(pickLocale(peekCachedMember(from.id)?.locale, from.language_code, o.defaultLocale))("flood.slow_down");
    if (ctx.callbackQuery) await ctx.answerCallbackQuery(warn ? { text } : undefined);
    else if (warn) await ctx.reply(text);
  };
}

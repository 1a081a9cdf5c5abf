/**
 * The number that keys a member everywhere (requests' `memberTelegramId`, the outbox's chat, locks,
 * audit): their Telegram user id, or, for a member who registered on WhatsApp and never used
 * Telegram, a key from a range Telegram never gives out. Telegram's ids have at most 52 significant
 * bits (|id| < 2^52 ≈ 4.5·10^15; groups and channels are negative), so keys at or below −5·10^15
 * belong to no Telegram chat: nothing is ever sent to them on Telegram (the outbox routes such a
 * member's items to WhatsApp, and Telegram's dispatcher refuses them).
 */
export const WHATSAPP_KEY_BASE = -5_000_000_000_000_000;

/** The key of the n-th WhatsApp-only member (n ≥ 1, from a counter). */
export function whatsappOnlyKey(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > 1_000_000_000) throw new RangeError(`bad WhatsApp member number ${n}`);
  return WHATSAPP_KEY_BASE - n;
}

export function isWhatsAppOnlyKey(key: number): boolean {
  return Number.isSafeInteger(key) && key <= WHATSAPP_KEY_BASE;
}

/** Whether a request still has its member (an erased member's requests keep 0: privacy.ts). */
export function hasMemberKey(key: number): boolean {
  return key !== 0;
}

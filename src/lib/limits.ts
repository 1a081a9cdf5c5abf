/**
 * Every length limit, in one place. This module imports nothing, so any layer may use it.
 * Telegram's limits are counted on the text Telegram shows (after HTML parsing), see lib/text.ts.
 */

/** Telegram: a message's text. */
export const TELEGRAM_TEXT_MAX = 4096;
/** Telegram: a photo's or voice note's caption. */
export const TELEGRAM_CAPTION_MAX = 1024;
/** Telegram: a reply field's placeholder. */
export const TELEGRAM_PLACEHOLDER_MAX = 64;
/** Telegram: photos in one album. */
export const TELEGRAM_ALBUM_MAX = 10;

/** A member's name, a business name, a sentra's name. */
export const NAME_MAX = 100;
export const BUSINESS_MAX = 100;
export const SENTRA_NAME_MAX = 100;
/** A member's products, as typed at onboarding. */
export const PRODUCTS_MAX = 300;
/** One product named in a request. */
export const PRODUCT_MAX = 100;
/** A typed answer in a request dialogue. */
export const TEXT_MAX = 1000;
/** Photos in one request step. */
export const PHOTOS_MAX = 5;
/** What a member wrote under a photo, as stored. */
export const ATTACHMENT_CAPTION_MAX = 1000;
/** An officer's question, note or reason, a relayed text, a member's answer. */
export const NOTE_MAX = 1000;
/** A digest's raw HTML stays well under Telegram's text limit. */
export const DIGEST_MAX_CHARS = 3800;

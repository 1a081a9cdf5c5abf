import { GrammyError } from "grammy";

/**
 * Telegram's 400 "message is not modified": an edit that would change nothing (a double tap, an old
 * paging button that lands on the page already shown). Nothing went wrong, so callers ignore it.
 */
export function isMessageNotModified(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /message is not modified/i.test(err.description);
}

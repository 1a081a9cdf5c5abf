/** A WhatsApp message as a domain source (dedupe of answers, reasons, comments): the member's key and a number from Meta's message id. */
import { createHash } from "node:crypto";

export function sourceOf(memberKey: number, wamid: string): { chatId: number; messageId: number } {
  return { chatId: memberKey, messageId: parseInt(createHash("sha1").update(wamid).digest("hex").slice(0, 12), 16) };
}

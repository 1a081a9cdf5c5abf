/**
 * A private chat that refuses the bot (403: blocked, deactivated): a member's is recorded on the
 * request and its card; an officer's is named in the group, so a colleague takes over.
 */
import type { ChangeBasis } from "../domain/deadlines";
import type { OutboxItem } from "../domain/outbox";
import { MEMBER_KINDS } from "../domain/outbox";
import { markMemberUnreachable } from "../domain/request-effects";
import { STAFF_LOCALE } from "../domain/officer-actions";
import { findOfficer } from "../domain/officers";
import { loadCardData, mention } from "../telegram/render";
import { queueGroupNotice } from "../telegram/notices";
import { tFor } from "../i18n";

const OFFICER_PRIVATE_KINDS = new Set(["officer_contact", "officer_media"]);

export async function onForbidden(item: OutboxItem, description: string, basis: ChangeBasis): Promise<void> {
  if (MEMBER_KINDS.has(item.kind) && item.requestId) {
    await markMemberUnreachable(item.requestId, `403: ${description}`, basis);
  } else if (OFFICER_PRIVATE_KINDS.has(item.kind) && item.chatId) {
    const officer = await findOfficer(item.chatId);
    const data = item.requestId ? await loadCardData(item.requestId) : null;
    const t = tFor(STAFF_LOCALE);
    const text = t("officer.notice.contact_failed", { officer: mention(item.chatId, officer?.name ?? String(item.chatId)), code: data?.request.code ?? "" });
    await queueGroupNotice(text, { requestId: item.requestId, dedupeKey: `contact-failed:${item.id}` }, basis.now);
  }
}

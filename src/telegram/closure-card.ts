/**
 * What an officers' card shows of the member's answer to a finished request: waiting for it,
 * confirmed with the rating, reopened ("dibuka lagi") with the reason, or accepted by silence.
 */
import type { TFunction } from "../i18n";
import type { RequestView } from "../domain/requests";
import { isOpen } from "../vocabulary/statuses";
import { SILENT_CLOSURE_WORKING_DAYS } from "../vocabulary/closure-states";
import { clipText } from "../lib/text";

export const starsOf = (n: number): string => "⭐".repeat(Math.max(0, Math.min(5, Math.round(n))));

export function closureCardLines(r: RequestView, t: TFunction): string[] {
  const lines: string[] = [];
  if (r.reopenCount > 0) {
    lines.push(t("closure.card.reopened", { count: r.reopenCount }));
    const last = [...r.timeline].reverse().find((e) => e.kind === "reopened");
    if (last && isOpen(r.status)) {
      const reason = last.note ? clipText(last.note, 200) : t("closure.card.reason_voice");
      lines.push(t("closure.card.reason", { reason }));
    }
  }
  if (r.status !== "selesai") return lines;
  if (r.confirmation === "waiting") lines.push(t("closure.card.waiting"));
  if (r.confirmation === "confirmed") lines.push(t("closure.card.confirmed"));
  if (r.confirmation === "closed_silently") lines.push(t("closure.card.closed_silently", { days: SILENT_CLOSURE_WORKING_DAYS }));
  if (r.rating) {
    lines.push(t("closure.card.rating", { stars: starsOf(r.rating.stars), n: r.rating.stars }));
    if (r.rating.comment) lines.push(t("closure.card.comment", { comment: clipText(r.rating.comment, 200) }));
  }
  return lines;
}

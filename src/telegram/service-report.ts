/**
 * The service part of /rekap: per request type and per officer, how many were finished, how often
 * members reopened them and how they rated them (domain/service-figures.ts). A new figure is one
 * more value in `reports.service_line`.
 */
import type { TFunction } from "../i18n";
import { REQUEST_TYPES } from "../vocabulary/request-types";
import { averageStars, type ServiceFigures, type ServiceRecap } from "../domain/service-figures";

function line(t: TFunction, name: string, f: ServiceFigures): string {
  const avg = averageStars(f);
  return t("reports.service_line", {
    name,
    resolved: f.resolved,
    confirmed: f.confirmed,
    silent: f.closedSilently,
    reopenings: f.reopenings,
    onTime: f.onTime,
    closed: f.closed,
    rating: avg === null ? t("reports.no_rating") : t("reports.rating", { avg, count: f.rated }),
  });
}

const active = (f: ServiceFigures) => f.resolved > 0 || f.reopenings > 0 || f.rated > 0 || f.closed > 0;

export function renderServiceRecap(t: TFunction, s: ServiceRecap): string[] {
  const types = REQUEST_TYPES.filter((type) => active(s.byType[type])).map((type) => line(t, t(`labels.type.${type}`), s.byType[type]));
  const officers = s.byOfficer.filter((o) => active(o.figures)).map((o) => line(t, o.name ?? String(o.telegramId), o.figures));
  return [
    t("reports.service_title"),
    types.join("\n") || t("reports.none"),
    "",
    t("reports.service_by_officer"),
    officers.join("\n") || t("reports.none"),
    `<i>${t("reports.service_legend")}</i>`,
  ];
}

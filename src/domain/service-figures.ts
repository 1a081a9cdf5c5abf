/**
 * How the office served a set of requests: finished, confirmed by the member, accepted by silence,
 * reopened, rated (domain/closure.ts). Counted per request type and per officer (the assignee) for
 * the monthly recap. The figures are folded in code from a few fields per request (a month holds
 * hundreds at most, and plain reads run the same on MongoDB and FerretDB v1), so a new figure (e.g.
 * the share answered within the deadlines) is one field in `ServiceFigures` and `emptyFigures`, its
 * source fields in `SERVICE_FIELDS` and one line in `addRequest`.
 */
import { REQUEST_TYPES, type RequestType } from "../vocabulary/request-types";
import { officerNames } from "./officers";
import { closedOnTime } from "./deadlines";

export interface ServiceFigures {
  /** Requests finished (selesai) at least once. */
  resolved: number;
  /** The member said *Sudah*. */
  confirmed: number;
  /** No answer from the member within 10 working days: accepted. */
  closedSilently: number;
  /** Requests the member reopened at least once, and how often in all. */
  reopened: number;
  reopenings: number;
  /** Ratings given and their stars summed (the average is starsTotal / rated). */
  rated: number;
  starsTotal: number;
  /** Requests closed (selesai or ditolak), and those closed by their total target in working days. */
  closed: number;
  onTime: number;
}

export interface ServiceRecap {
  byType: Record<RequestType, ServiceFigures>;
  /** Officers who had requests of the month, by name. */
  byOfficer: { telegramId: number; name: string | null; figures: ServiceFigures }[];
}

/** The fields `addRequest` reads (a projection: the rest of the request is not loaded). */
export const SERVICE_FIELDS = { type: 1, assigneeTelegramId: 1, resolvedAt: 1, confirmation: 1, reopenCount: 1, "rating.stars": 1, closedAt: 1, "sla.targetAt": 1 } as const;

export interface ServiceRow {
  type: RequestType;
  assigneeTelegramId?: number | null;
  resolvedAt?: Date | null;
  confirmation?: string | null;
  reopenCount?: number | null;
  rating?: { stars?: number | null } | null;
  closedAt?: Date | null;
  sla?: { targetAt?: Date | null } | null;
}

export function emptyFigures(): ServiceFigures {
  return { resolved: 0, confirmed: 0, closedSilently: 0, reopened: 0, reopenings: 0, rated: 0, starsTotal: 0, closed: 0, onTime: 0 };
}

/** The average rating (1–5), or null when nobody rated. */
export function averageStars(f: ServiceFigures): number | null {
  return f.rated > 0 ? f.starsTotal / f.rated : null;
}

function addRequest(f: ServiceFigures, r: ServiceRow): void {
  if (r.resolvedAt) f.resolved++;
  if (r.confirmation === "confirmed") f.confirmed++;
  if (r.confirmation === "closed_silently") f.closedSilently++;
  const reopenings = r.reopenCount ?? 0;
  if (reopenings > 0) f.reopened++;
  f.reopenings += reopenings;
  const met = closedOnTime(r.closedAt, r.sla?.targetAt);
  if (met !== null) f.closed++;
  if (met) f.onTime++;
  const stars = r.rating?.stars;
  if (stars) {
    f.rated++;
    f.starsTotal += stars;
  }
}

/** Service figures counted one request at a time (a caller's own read can feed it), then named. */
export function serviceTally(): { add(r: ServiceRow): void; finish(): Promise<ServiceRecap> } {
  const byType = Object.fromEntries(REQUEST_TYPES.map((t) => [t, emptyFigures()])) as Record<RequestType, ServiceFigures>;
  const officers = new Map<number, ServiceFigures>();
  return {
    add(r) {
      addRequest(byType[r.type], r);
      const id = r.assigneeTelegramId;
      if (id === null || id === undefined) return;
      if (!officers.has(id)) officers.set(id, emptyFigures());
      addRequest(officers.get(id)!, r);
    },
    async finish() {
      const names = await officerNames([...officers.keys()]);
      const byOfficer = [...officers.entries()]
        .map(([telegramId, figures]) => ({ telegramId, name: names.get(telegramId) ?? null, figures }))
        .sort((a, b) => String(a.name ?? a.telegramId).localeCompare(String(b.name ?? b.telegramId)));
      return { byType, byOfficer };
    },
  };
}

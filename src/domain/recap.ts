/**
 * The monthly recap for officers and admins: counts by type x status, by sentra and by kecamatan,
 * for a calendar month in WITA, the service figures (ratings, reopenings) by type and by officer, and the months before it by type (the recap's trend picture). The month is a range of instants on createdAt (FerretDB v1 has no
 * date operators; this is also what an index can serve).
 */
import { Request } from "../db/models/request";
import { Sentra } from "../db/models/sentra";
import { REQUEST_TYPES, type RequestType } from "../vocabulary/request-types";
import { STATUSES, type Status } from "../vocabulary/statuses";
import { KECAMATAN } from "../vocabulary/kecamatan";
import { shiftMonth, witaMonth, witaMonthRange } from "../lib/time";
import { templatesSentBetween } from "./whatsapp-outbox";
import { programFigures, type ProgramFigures } from "./program-roster";
import { serviceTally, SERVICE_FIELDS, type ServiceRecap, type ServiceRow } from "./service-figures";

export interface Recap {
  month: string;
  total: number;
  byTypeStatus: Record<RequestType, Record<Status, number>>;
  bySentra: { sentraId: string | null; name: string | null; count: number }[];
  byKecamatan: Record<string, number>;
  /** How the office served the month's requests (domain/service-figures.ts), per type and per officer. */
  service: ServiceRecap;
  /** WhatsApp update templates sent in the month (outside the 24-hour window: Meta bills each). */
  whatsappTemplates: number;
  /** The programs held in the month (first session), their registrations, attendance and requests answered. */
  programs: ProgramFigures;
}

export type MonthCheck = { ok: true; month: string } | { ok: false; reason: "format" | "future" };

/** Validates "YYYY-MM" typed by a user: a real month, not in the future (WITA). Empty = this month. */
export function parseRecapMonth(input: string | undefined, now: Date): MonthCheck {
  const current = witaMonth(now);
  const text = (input ?? "").trim();
  if (!text) return { ok: true, month: current };
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[1]) < 2000) return { ok: false, reason: "format" };
  if (text > current) return { ok: false, reason: "future" };
  return { ok: true, month: text };
}

export interface MonthTypeCounts {
  month: string;
  total: number;
  byType: Record<RequestType, number>;
}

/** How many months the trend shows, the chosen one included. */
export const TREND_MONTHS = 6;

const zeroByType = () => Object.fromEntries(REQUEST_TYPES.map((t) => [t, 0])) as Record<RequestType, number>;

/**
 * The month's recap and the requests by type in each of the `months` months ending with it (oldest
 * first), counted from one read: the few fields counted, streamed over the months' range of instants.
 * One scan instead of a grouped query per figure and month (FerretDB v1 scans the collection for
 * each query, and has no date operators to group by month); memory stays flat however many there are.
 */
export async function recapWithTrend(month: string, months = TREND_MONTHS): Promise<{ recap: Recap; trend: MonthTypeCounts[] }> {
  const list = Array.from({ length: months }, (_, i) => shiftMonth(month, i - months + 1));
  const ranges = list.map((m) => {
    const { start, end } = witaMonthRange(m);
    return { start: start.getTime(), end: end.getTime() };
  });
  const trend = list.map((m): MonthTypeCounts => ({ month: m, total: 0, byType: zeroByType() }));
  const byTypeStatus = Object.fromEntries(REQUEST_TYPES.map((t) => [t, Object.fromEntries(STATUSES.map((s) => [s, 0]))])) as Recap["byTypeStatus"];
  const bySentraId = new Map<string | null, number>();
  const byKecamatan = Object.fromEntries(KECAMATAN.map((k) => [k, 0])) as Record<string, number>;
  let total = 0;
  const cursor = Request.find(
    { createdAt: { $gte: new Date(ranges[0].start), $lt: new Date(ranges[months - 1].end) } },
    { _id: 0, status: 1, sentraId: 1, kecamatan: 1, createdAt: 1, ...SERVICE_FIELDS },
  )
    .lean<(ServiceRow & { status: Status; sentraId?: unknown; kecamatan: string; createdAt: Date })[]>()
    .cursor({ batchSize: 1000 });
  const service = serviceTally();
  for await (const r of cursor) {
    const at = r.createdAt.getTime();
    const i = ranges.findIndex((x) => at >= x.start && at < x.end);
    if (i < 0) continue;
    trend[i].total++;
    trend[i].byType[r.type]++;
    if (i !== months - 1) continue;
    total++;
    service.add(r);
    byTypeStatus[r.type][r.status]++;
    const sentra = r.sentraId ? String(r.sentraId) : null;
    bySentraId.set(sentra, (bySentraId.get(sentra) ?? 0) + 1);
    byKecamatan[r.kecamatan] = (byKecamatan[r.kecamatan] ?? 0) + 1;
  }
  const sentraIds = [...bySentraId.keys()].filter((id): id is string => id !== null);
  const names = new Map((await Sentra.find({ _id: { $in: sentraIds } }, { name: 1 }).lean()).map((s) => [String(s._id), s.name]));
  const bySentra = [...bySentraId]
    .map(([id, count]) => ({ sentraId: id, name: id ? (names.get(id) ?? null) : null, count }))
    // Most requests first; "no sentra" after the named ones of the same count.
    .sort((a, b) => b.count - a.count || Number(a.name === null) - Number(b.name === null) || String(a.name).localeCompare(String(b.name)));
  const whatsappTemplates = await templatesSentBetween(new Date(ranges[months - 1].start), new Date(ranges[months - 1].end));
  const programs = await programFigures(new Date(ranges[months - 1].start), new Date(ranges[months - 1].end));
  return { recap: { month, total, byTypeStatus, bySentra, byKecamatan, service: await service.finish(), whatsappTemplates, programs }, trend };
}

/** Counts by type x status, by sentra and by kecamatan for a calendar month in WITA. */
export async function monthlyRecap(month: string): Promise<Recap> {
  return (await recapWithTrend(month, 1)).recap;
}

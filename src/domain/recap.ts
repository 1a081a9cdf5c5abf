/**
 * The monthly recap for officers and admins: counts by type x status, by sentra and by kecamatan,
 * for a calendar month in WITA. The month is a range of instants on createdAt (FerretDB v1 has no
 * date operators; this is also what an index can serve).
 */
import { Request } from "../db/models/request";
import { Sentra } from "../db/models/sentra";
import { REQUEST_TYPES, type RequestType } from "./request-types";
import { STATUSES, type Status } from "./statuses";
import { KECAMATAN } from "./kecamatan";
import { shiftMonth, witaMonth, witaMonthRange } from "../lib/time";

export interface Recap {
  month: string;
  total: number;
  byTypeStatus: Record<RequestType, Record<Status, number>>;
  bySentra: { sentraId: string | null; name: string | null; count: number }[];
  byKecamatan: Record<string, number>;
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

export async function monthlyRecap(month: string): Promise<Recap> {
  const { start, end } = witaMonthRange(month);
  const match = { createdAt: { $gte: start, $lt: end } };
  const [typeStatus, sentra, kecamatan] = await Promise.all([
    Request.aggregate<{ _id: { type: RequestType; status: Status }; n: number }>([{ $match: match }, { $group: { _id: { type: "$type", status: "$status" }, n: { $sum: 1 } } }]),
    Request.aggregate<{ _id: unknown; n: number }>([{ $match: match }, { $group: { _id: "$sentraId", n: { $sum: 1 } } }]),
    Request.aggregate<{ _id: string; n: number }>([{ $match: match }, { $group: { _id: "$kecamatan", n: { $sum: 1 } } }]),
  ]);
  const byTypeStatus = Object.fromEntries(REQUEST_TYPES.map((t) => [t, Object.fromEntries(STATUSES.map((s) => [s, 0]))])) as Recap["byTypeStatus"];
  let total = 0;
  for (const r of typeStatus) {
    byTypeStatus[r._id.type][r._id.status] = r.n;
    total += r.n;
  }
  const sentraIds = sentra.map((r) => r._id).filter(Boolean);
  const names = new Map((await Sentra.find({ _id: { $in: sentraIds } }, { name: 1 }).lean()).map((s) => [String(s._id), s.name]));
  const bySentra = sentra
    .map((r) => ({ sentraId: r._id ? String(r._id) : null, name: r._id ? (names.get(String(r._id)) ?? null) : null, count: r.n }))
    // Most requests first; "no sentra" after the named ones of the same count.
    .sort((a, b) => b.count - a.count || Number(a.name === null) - Number(b.name === null) || String(a.name).localeCompare(String(b.name)));
  const byKecamatan = Object.fromEntries(KECAMATAN.map((k) => [k, 0])) as Record<string, number>;
  for (const r of kecamatan) byKecamatan[r._id] = r.n;
  return { month, total, byTypeStatus, bySentra, byKecamatan };
}

export interface MonthTypeCounts {
  month: string;
  total: number;
  byType: Record<RequestType, number>;
}

/** How many months the trend shows, the chosen one included. */
export const TREND_MONTHS = 6;

/**
 * Requests by type in each of the `months` months ending with `month`, oldest first: one grouped
 * count per month over its own range of instants (no date operators needed).
 */
export async function recapTrend(month: string, months = TREND_MONTHS): Promise<MonthTypeCounts[]> {
  const list = Array.from({ length: months }, (_, i) => shiftMonth(month, i - months + 1));
  return Promise.all(
    list.map(async (m) => {
      const { start, end } = witaMonthRange(m);
      const groups = await Request.aggregate<{ _id: RequestType; n: number }>([{ $match: { createdAt: { $gte: start, $lt: end } } }, { $group: { _id: "$type", n: { $sum: 1 } } }]);
      const byType = Object.fromEntries(REQUEST_TYPES.map((t) => [t, 0])) as Record<RequestType, number>;
      for (const g of groups) byType[g._id] = g.n;
      return { month: m, total: groups.reduce((a, g) => a + g.n, 0), byType };
    }),
  );
}

/**
 * Read-side queries over requests: a member's list, a sentra's overview, the officers' queue and
 * tasks. Plain mongoose, no grammY; works on FerretDB v1 (only $match/$group/$sort aggregation).
 */
import { Types } from "mongoose";
import { Request } from "../db/models/request";
import { Member } from "../db/models/member";
import { escapeRegex } from "../lib/text";
import { witaMonthRange } from "../lib/time";
import { toRequestView, type RequestView, type TimelineEntry } from "./requests";
import { OPEN_STATUSES, STATUSES, type Status } from "../vocabulary/statuses";

export interface Page<T> {
  items: T[];
  page: number;
  pages: number;
  total: number;
}

export const PAGE_SIZE = 5;

/**
 * Timeline entries about the bot's messages, not about the request (a delivery that failed, with
 * Telegram's raw error text): for officers only, and no change of the request.
 */
export function isDeliveryRecord(e: Pick<TimelineEntry, "kind">): boolean {
  return e.kind === "delivery";
}

/**
 * When a request last changed: its newest timeline entry that is not a delivery record. Not
 * updatedAt, which also moves on bookkeeping writes (card edits, queued notifications).
 */
export function lastChangeAt(r: Pick<RequestView, "timeline" | "createdAt">): Date {
  for (let i = r.timeline.length - 1; i >= 0; i--) if (!isDeliveryRecord(r.timeline[i])) return r.timeline[i].at;
  return r.createdAt;
}

/** A page (0-based) of a query, newest or oldest first. Out-of-range pages clamp to the last one. */
async function paged(filter: Record<string, unknown>, sort: Record<string, 1 | -1>, page: number, size: number): Promise<Page<RequestView>> {
  const total = await Request.countDocuments(filter);
  const pages = Math.max(1, Math.ceil(total / size));
  const p = Math.min(Math.max(0, Math.floor(page) || 0), pages - 1);
  const docs = await Request.find(filter)
    .sort(sort)
    .skip(p * size)
    .limit(size)
    .lean();
  return { items: docs.map(toRequestView), page: p, pages, total };
}

/** A member's requests, newest first. */
export function memberRequestsPage(memberId: string, page: number, size = PAGE_SIZE): Promise<Page<RequestView>> {
  return paged({ memberId: new Types.ObjectId(memberId) }, { createdAt: -1, _id: -1 }, page, size);
}

/** A sentra's requests, optionally only those filed in one month (YYYY-MM, WITA). */
function sentraFilter(sentraId: string, month?: string): Record<string, unknown> {
  const filter: Record<string, unknown> = { sentraId: new Types.ObjectId(sentraId) };
  if (month) {
    const { start, end } = witaMonthRange(month);
    filter.createdAt = { $gte: start, $lt: end };
  }
  return filter;
}

/** A sentra's open requests, oldest first (what the chairperson follows up); optionally of one month. */
export function sentraOpenRequestsPage(sentraId: string, page: number, size = PAGE_SIZE, month?: string): Promise<Page<RequestView>> {
  return paged({ ...sentraFilter(sentraId, month), status: { $in: OPEN_STATUSES } }, { createdAt: 1, _id: 1 }, page, size);
}

/** A sentra's finished or declined requests, the most recently closed first; optionally of one month. */
export async function sentraClosedRecently(sentraId: string, size = 5, month?: string): Promise<RequestView[]> {
  return (await paged({ ...sentraFilter(sentraId, month), status: { $nin: OPEN_STATUSES } }, { closedAt: -1, _id: -1 }, 0, size)).items;
}

/** Counts of a sentra's requests by status (every status present, zeros included); optionally of one month. */
export async function sentraStatusCounts(sentraId: string, month?: string): Promise<Record<Status, number>> {
  const rows = await Request.aggregate<{ _id: Status; n: number }>([{ $match: sentraFilter(sentraId, month) }, { $group: { _id: "$status", n: { $sum: 1 } } }]);
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const r of rows) counts[r._id] = r.n;
  return counts;
}

/** Open requests nobody has claimed, oldest first. */
export function unclaimedQueue(page: number, size = 10): Promise<Page<RequestView>> {
  return paged({ status: { $in: OPEN_STATUSES }, assigneeTelegramId: null }, { createdAt: 1, _id: 1 }, page, size);
}

/** An officer's open requests, oldest first. */
export function officerTasks(officerTelegramId: number, page: number, size = 10): Promise<Page<RequestView>> {
  return paged({ status: { $in: OPEN_STATUSES }, assigneeTelegramId: officerTelegramId }, { createdAt: 1, _id: 1 }, page, size);
}

/** The shortest and longest text `/cari` takes. */
export const SEARCH_MIN = 2;
export const SEARCH_MAX = 60;

/**
 * Staff search: requests whose code contains the text, or whose member's name or business does
 * (case-insensitive, the text taken literally), newest first. The caller checks the length.
 */
export async function searchRequests(text: string, size = 15): Promise<Page<RequestView>> {
  const pattern = { $regex: escapeRegex(text.trim()), $options: "i" };
  const members = await Member.find({ $or: [{ name: pattern }, { businessName: pattern }] }, { _id: 1 })
    .limit(200)
    .lean();
  const or: Record<string, unknown>[] = [{ code: pattern }];
  if (members.length) or.push({ memberId: { $in: members.map((m) => m._id) } });
  return paged({ $or: or }, { createdAt: -1, _id: -1 }, 0, size);
}

/** A member's open requests, newest first (at most `size`). */
export async function memberOpenRequests(memberId: string, size = 5): Promise<RequestView[]> {
  // The first page only: one read, no count.
  const docs = await Request.find({ memberId: new Types.ObjectId(memberId), status: { $in: OPEN_STATUSES } })
    .sort({ createdAt: -1, _id: -1 })
    .limit(size)
    .lean();
  return docs.map(toRequestView);
}

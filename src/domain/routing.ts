import { Request } from "../db/models/request";
import { OPEN_STATUSES } from "../vocabulary/statuses";
import type { OfficerView } from "./officers";
import type { RequestType } from "../vocabulary/request-types";
import type { Kecamatan } from "../vocabulary/kecamatan";

/**
 * How well an officer's rules fit a request: both the type and the kecamatan named (3), the type
 * only with no kecamatan rule (2), the kecamatan only with no type rule (1). An officer whose rule
 * names other types or other kecamatan does not fit (0), nor does one without rules.
 */
export function routingScore(officer: Pick<OfficerView, "types" | "kecamatan">, request: { type: RequestType; kecamatan: Kecamatan }): number {
  const hasTypes = officer.types.length > 0;
  const hasKec = officer.kecamatan.length > 0;
  const typeFits = officer.types.includes(request.type);
  const kecFits = officer.kecamatan.includes(request.kecamatan);
  if (hasTypes && hasKec) return typeFits && kecFits ? 3 : 0;
  if (hasTypes) return typeFits ? 2 : 0;
  if (hasKec) return kecFits ? 1 : 0;
  return 0;
}

/**
 * The officer a new request is routed to: the best fitting rule; among equals the one with the
 * fewest open requests, then the lowest id (stable). Null when no rule fits: the request still
 * reaches the group, unassigned.
 */
export async function routeRequest(request: { type: RequestType; kecamatan: Kecamatan }, officers: OfficerView[]): Promise<OfficerView | null> {
  const scored = officers
    .filter((o) => o.active)
    .map((o) => ({ o, score: routingScore(o, request) }))
    .filter((x) => x.score > 0);
  if (scored.length === 0) return null;
  const best = Math.max(...scored.map((x) => x.score));
  const top = scored.filter((x) => x.score === best).map((x) => x.o);
  if (top.length === 1) return top[0];
  const loads = await Promise.all(
    top.map((o) =>
      Request.countDocuments({ status: { $in: OPEN_STATUSES }, $or: [{ assigneeTelegramId: o.telegramId }, { assigneeTelegramId: null, routedToTelegramId: o.telegramId }] }),
    ),
  );
  return top.map((o, i) => ({ o, load: loads[i] })).sort((a, b) => a.load - b.load || a.o.telegramId - b.o.telegramId)[0].o;
}

/**
 * Who may see a request. The answer for "not allowed" and "does not exist" must look the same to
 * the asker, so callers treat `false` exactly like a missing code.
 */
import type { RequestView } from "./requests";

export interface Viewer {
  telegramId: number;
  isAdmin: boolean;
  isOfficer: boolean;
  /** The viewer's own member id, when registered. */
  memberId?: string | null;
  /** The sentra the viewer chairs, if any. */
  chairOfSentraId?: string | null;
}

export function canSeeRequest(viewer: Viewer, request: Pick<RequestView, "memberId" | "sentraId">): boolean {
  if (viewer.isAdmin || viewer.isOfficer) return true;
  if (viewer.memberId && viewer.memberId === request.memberId) return true;
  if (viewer.chairOfSentraId && request.sentraId && viewer.chairOfSentraId === request.sentraId) return true;
  return false;
}

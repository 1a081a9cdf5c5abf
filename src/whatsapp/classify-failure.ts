/**
 * What to do when a Cloud API call for an outbox item failed: a pure decision from the error (no
 * database, no clock), which the dispatcher carries out — like src/delivery/classify-failure.ts for
 * Telegram. Decided by Meta's `code` (and `error_data.details` only for the note), never by the message text:
 * - network errors, HTTP 5xx, 1/2/131000 (unknown / service / "something went wrong"): retry with backoff;
 * - 130429 (throughput), 4 / 80007 (app / account rate limit): retry with backoff;
 * - 131056 (pair rate: too many messages to this member): slow down — wait longer before this member's next;
 * - 131047 (re-engagement: outside the 24-hour window): send the update template instead;
 * - 190 (token expired or revoked): retry slowly (an admin must fix the token; nothing is lost meanwhile);
 * - 131026 (undeliverable), 131051 (unsupported type), 100/131008/131009 (a bad parameter), template
 *   errors (132xxx) and anything else: give up, visibly (the caller marks the message on the card).
 */
export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { messaging_product?: string; details?: string };
  fbtrace_id?: string;
}

/** A Graph API error answer (`{error: {...}}`) with its HTTP status. */
export class GraphApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: GraphErrorBody,
  ) {
    super(`Graph API ${status} ${error.code ?? "?"}: ${error.error_data?.details ?? error.message ?? ""}`);
    this.name = "GraphApiError";
  }
  get code(): number | undefined {
    return this.error.code;
  }
}

export type WhatsAppFailureDecision =
  | { action: "retry"; delayMs: number; note: string; network: boolean }
  | { action: "slow_down"; delayMs: number; note: string }
  | { action: "use_template"; note: string }
  | { action: "give_up"; note: string; code: number | null };

/** Meta's codes that say "try again later" (service trouble or throughput). */
const TRANSIENT = new Set([1, 2, 4, 80007, 130429, 131000]);
/** The pair rate: roughly one message every few seconds to the same member. */
const PAIR_RATE = 131056;
const RE_ENGAGEMENT = 131047;
const TOKEN_INVALID = 190;

/** The delay before the next attempt after `attempts` failed ones: 5 s doubling, at most 5 min (as on Telegram). */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** attempts, 300_000);
}

/** Waiting after a pair-rate refusal: long enough for Meta's per-member pace, growing if it persists. */
export function pairRateDelayMs(attempts: number): number {
  return Math.min(6_000 * 2 ** attempts, 120_000);
}

function noteOf(err: GraphApiError): string {
  return `${err.code ?? err.status}: ${err.error.error_data?.details ?? err.error.message ?? ""}`.trim();
}

export function classifyWhatsAppFailure(err: unknown, attempts: number): WhatsAppFailureDecision {
  if (!(err instanceof GraphApiError)) {
    const message = err instanceof Error ? err.message : String(err);
    return { action: "retry", delayMs: backoffMs(attempts), note: message, network: true };
  }
  const note = noteOf(err);
  const code = err.code;
  if (code === RE_ENGAGEMENT) return { action: "use_template", note };
  if (code === PAIR_RATE) return { action: "slow_down", delayMs: pairRateDelayMs(attempts), note };
  if (err.status >= 500 || (code !== undefined && TRANSIENT.has(code))) {
    return { action: "retry", delayMs: backoffMs(attempts), note, network: false };
  }
  // A bad token stops every message alike; keep them until an admin fixes it, slowly.
  if (code === TOKEN_INVALID) return { action: "retry", delayMs: 300_000, note, network: false };
  return { action: "give_up", note, code: code ?? null };
}

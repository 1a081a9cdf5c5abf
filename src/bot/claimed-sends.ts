/**
 * While several processes serve the database, a doubled delivery of one update can be handled by two
 * of them at the same moment; both replay the dialogue and both would send its next question (the
 * member saw it twice; the loser's state write is then refused, too late). Here, below the dialogues'
 * recording (at the client's fetch, so only real calls count), each `send*` of an update's handling
 * is claimed first in `claimedsends` under (update, ordinal, method, chat, body digest): the second copy finds the
 * claim, waits for the first one's result and returns it as its own, so the member sees each question
 * once and both dialogues hold the same message. Alone on the database this costs nothing (no claim).
 * A claim that cannot be written (the database away) or whose result never comes (the other process
 * died mid-send) sends after all: better twice than never.
 */
import { createHash } from "node:crypto";
import { ClaimedSend } from "../db/models/claimed-send";
import { currentUpdateScope, type UpdateScope } from "../db/command-guard";
import { isDuplicateKeyError } from "../db/errors";

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** How long the second copy waits for the first one's result. */
export const CLAIM_WAIT_MS = 5_000;
const CLAIMED = /^send(?!ChatAction)/;
const ordinals = new WeakMap<UpdateScope, number>();

/**
 * What the send is: its chat and a digest of its body. Two copies of one update send the same
 * bytes at the same ordinal; an update tried again after a stale attempt (conversation-storage.ts)
 * counts its sends from 1 again, and its n-th message may differ from the stale attempt's n-th: it
 * is a message of its own then, not the same one again.
 */
function whatOf(body: unknown): string {
  if (typeof body !== "string") return "";
  let chat = "";
  try {
    chat = String((JSON.parse(body) as { chat_id?: unknown }).chat_id ?? "");
  } catch {
    // not JSON: the digest alone
  }
  return `${chat}:${createHash("sha1").update(body).digest("base64url").slice(0, 12)}`;
}

async function resultOf(key: string, waitMs: number): Promise<string | null> {
  const until = Date.now() + waitMs;
  for (;;) {
    const doc = await ClaimedSend.findById(key, { result: 1 }).lean();
    // Gone: the first copy's send failed (it took the claim back); this one sends.
    if (!doc) return null;
    if (doc.result) return doc.result;
    if (Date.now() > until) return null;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function claimedSends(inner: Fetch, shared: () => boolean, opts: { waitMs?: number; onEvent?: (what: string, key: string) => void } = {}): Fetch {
  return async (input, init) => {
    const scope = currentUpdateScope();
    const url = String(input);
    const method = url.slice(url.lastIndexOf("/") + 1);
    if (!scope?.updateId || !CLAIMED.test(method) || !shared()) return inner(input, init);
    const n = (ordinals.get(scope) ?? 0) + 1;
    ordinals.set(scope, n);
    const key = `${scope.updateId}:${n}:${method}:${whatOf(init?.body)}`;
    let mine = true;
    try {
      await ClaimedSend.create({ _id: key, at: new Date() });
    } catch (err) {
      if (!isDuplicateKeyError(err)) return inner(input, init);
      mine = false;
    }
    opts.onEvent?.(mine ? "mine" : "taken", key);
    if (!mine) {
      const result = await resultOf(key, opts.waitMs ?? CLAIM_WAIT_MS).catch(() => null);
      if (result) {
        opts.onEvent?.("copy", key);
        return new Response(`{"ok":true,"result":${result}}`, { status: 200, headers: { "content-type": "application/json" } });
      }
      opts.onEvent?.("unanswered", key);
      return inner(input, init);
    }
    const release = () => ClaimedSend.deleteOne({ _id: key }).catch(() => undefined);
    let res: Response;
    try {
      res = await inner(input, init);
    } catch (err) {
      await release();
      throw err;
    }
    const body = res.ok ? ((await res.clone().json()) as { ok?: boolean; result?: unknown }) : undefined;
    if (body?.ok) await ClaimedSend.updateOne({ _id: key }, { $set: { result: JSON.stringify(body.result) } }).catch(() => undefined);
    else await release();
    return res;
  };
}

/** Claims older than a day are of no use any more (a doubled delivery races within seconds). */
export async function purgeClaimedSends(now: Date): Promise<number> {
  const res = await ClaimedSend.deleteMany({ at: { $lt: new Date(now.getTime() - 24 * 3600_000) } });
  return res.deletedCount ?? 0;
}

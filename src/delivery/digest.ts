/** Digests: one group message listing new requests whose cards wait for the group's budget. */
import { digestedRequestIds, enqueue, PRIORITY, type OutboxItem } from "../domain/outbox";
import { loadCardData, renderDigest, type CardData } from "../telegram/render";
import { DIGEST_MAX_CHARS } from "../lib/limits";

/** Lists new requests whose cards must wait for the budget, in as few digest messages as fit. */
export async function queueDigests(alerts: OutboxItem[], now: Date): Promise<boolean> {
  const ids = alerts.map((a) => a.requestId).filter((x): x is string => Boolean(x));
  const done = await digestedRequestIds(ids);
  const fresh = ids.filter((id) => !done.has(id));
  // One held-back card just waits; a digest is for a queue.
  if (fresh.length < 2) return false;
  const datas = (await Promise.all(fresh.map((id) => loadCardData(id)))).filter((d): d is CardData => d !== null);
  const chunks: CardData[][] = [[]];
  for (const d of datas) {
    const current = chunks[chunks.length - 1];
    if (current.length > 0 && renderDigest([...current, d]).length > DIGEST_MAX_CHARS) chunks.push([d]);
    else current.push(d);
  }
  await enqueue(
    chunks
      .filter((c) => c.length > 0)
      .map((c) => ({
        kind: "digest" as const,
        chat: "group" as const,
        method: "sendMessage",
        payload: { text: renderDigest(c) },
        priority: PRIORITY.digest,
        digestOf: c.map((d) => d.request.id),
        dedupeKey: `digest:${c.map((d) => d.request.id).join(",")}`,
      })),
    now,
  );
  return true;
}

import type { RequestView } from "./requests";

type Listener = (request: RequestView) => void | Promise<void>;

const listeners = new Set<Listener>();

/**
 * Called after every new request is saved (the officer workflow queues its alert in the outbox,
 * which wakes a running dispatcher). Returns the function that unsubscribes.
 */
export function onRequestCreated(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Runs the listeners one after the other and never throws: the request is saved with
 * `alertPending`, so if queueing its alert fails here, the dispatcher's scan queues it later and
 * the member's dialogue is not disturbed.
 */
export async function emitRequestCreated(request: RequestView): Promise<void> {
  for (const listener of listeners) {
    try {
      await listener(request);
    } catch {
      /* see above */
    }
  }
}

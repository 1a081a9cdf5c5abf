import type { RequestView } from "./requests";

type Listener = (request: RequestView) => void | Promise<void>;

const listeners = new Set<Listener>();

/**
 * Called after every new request is saved (the officer workflow queues its alert and wakes the
 * dispatcher). Returns the function that unsubscribes. A listener that fails changes nothing for
 * the member: the request is saved with `alertPending`, and the dispatcher's scan picks it up.
 */
export function onRequestCreated(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Never throws and never waits: the member's dialogue must not depend on the officers' side. */
export function emitRequestCreated(request: RequestView): void {
  for (const listener of listeners) {
    try {
      void Promise.resolve(listener(request)).catch(() => undefined);
    } catch {
      /* see onRequestCreated */
    }
  }
}

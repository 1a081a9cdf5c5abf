/**
 * The database can be away for seconds; the bot must come back when it does. The driver reconnects
 * by itself, but we have seen a process whose every operation kept failing for ten minutes after a
 * 20 s outage while the server answered everyone else (the chaos test in webhook mode). So a ping
 * every `intervalMs`; when pings have failed for `resetAfterMs` without a break, the driver's
 * connections are dropped and made again (at most once per `resetAfterMs`), and that is logged.
 */
import type { Logger } from "../logger";

export interface WatchdogDeps {
  ping(): Promise<unknown>;
  reconnect(): Promise<void>;
  logger: Pick<Logger, "warn" | "error" | "info">;
  intervalMs?: number;
  resetAfterMs?: number;
  now?: () => number;
}

export interface Watchdog {
  /** One look now (also what the timer runs). */
  check(): Promise<"ok" | "failing" | "reconnected" | "reconnect_failed">;
  stop(): void;
}

export function startConnectionWatchdog(deps: WatchdogDeps, opts: { timer?: boolean } = {}): Watchdog {
  const now = deps.now ?? Date.now;
  const resetAfterMs = deps.resetAfterMs ?? 60_000;
  let failingSince: number | null = null;
  let lastReset = 0;
  let running = false;
  async function check(): Promise<"ok" | "failing" | "reconnected" | "reconnect_failed"> {
    try {
      await deps.ping();
      if (failingSince !== null) deps.logger.info({ after_ms: now() - failingSince }, "database answers again");
      failingSince = null;
      return "ok";
    } catch (err) {
      failingSince ??= now();
      if (now() - failingSince < resetAfterMs || now() - lastReset < resetAfterMs) return "failing";
      lastReset = now();
      deps.logger.error({ err: String(err), failing_ms: now() - failingSince }, "database unusable for a minute: dropping the driver's connections and connecting again");
      try {
        await deps.reconnect();
        return "reconnected";
      } catch (e) {
        deps.logger.warn({ err: String(e) }, "reconnecting to the database failed; trying again later");
        return "reconnect_failed";
      }
    }
  }
  let timer: NodeJS.Timeout | undefined;
  if (opts.timer !== false) {
    timer = setInterval(() => {
      if (running) return;
      running = true;
      void check().finally(() => (running = false));
    }, deps.intervalMs ?? 5_000);
    timer.unref();
  }
  return { check, stop: () => timer && clearInterval(timer) };
}

/**
 * `GET /metrics` in the Prometheus text format (prom-client), served by the bot's HTTP server when
 * METRICS_TOKEN is set, behind `Authorization: Bearer <token>`. Counted as they happen: updates by
 * kind and outcome with their handling time, Bot API and Graph API calls by method and result,
 * database errors. Read from the database at each scrape (domain/operations-figures.ts): the outbox
 * per channel, open dialogues, requests by status and past their deadline, the group budget used,
 * scheduled job runs. And the process's default metrics (memory, CPU, event loop lag, GC).
 * One registry per bot process (created in main.ts, handed to what counts): nothing global.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { OperationsFigures } from "../domain/operations-figures";

export type UpdateOutcome = "ok" | "error" | "redeliver";
/** How an API call ended: accepted, throttled, refused, server error, or no answer at all. */
export type CallResult = "ok" | "429" | "4xx" | "5xx" | "network";

export interface Metrics {
  readonly contentType: string;
  update(kind: string, outcome: UpdateOutcome, seconds: number): void;
  call(channel: "telegram" | "whatsapp", method: string, result: CallResult): void;
  databaseError(): void;
  /** The text a scrape gets, with the database figures read now. */
  render(): Promise<string>;
}

/** A method label: a Bot API method (sendMessage) or a Graph API call kind (media_info); anything else is "other". */
const METHOD = /^[a-zA-Z_]{2,40}$/;

export function createMetrics(o: { figures: () => Promise<OperationsFigures>; groupLimit: number }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const updates = new Counter({ name: "aspirasi_updates_total", help: "Updates handled, by kind and outcome", labelNames: ["kind", "outcome"], registers: [registry] });
  const seconds = new Histogram({
    name: "aspirasi_update_seconds",
    help: "Time to handle one update, by kind",
    labelNames: ["kind"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const calls = new Counter({
    name: "aspirasi_api_calls_total",
    help: "Bot API and Graph API calls, by channel, method and result",
    labelNames: ["channel", "method", "result"],
    registers: [registry],
  });
  const dbErrors = new Counter({ name: "aspirasi_database_errors_total", help: "Database operations that failed because the server was unreachable", registers: [registry] });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  const outboxPending = gauge("aspirasi_outbox_pending", "Messages waiting in the outbox, by channel", ["channel"]);
  const outboxOldest = gauge("aspirasi_outbox_oldest_seconds", "Age of the oldest waiting message, by channel", ["channel"]);
  const outboxFailed = gauge("aspirasi_outbox_given_up", "Messages given up (kept as failed), by channel", ["channel"]);
  const dialogues = gauge("aspirasi_dialogues_open", "Dialogues in progress, by channel", ["channel"]);
  const requests = gauge("aspirasi_requests", "Requests by status", ["status"]);
  const pastDeadline = gauge("aspirasi_requests_past_deadline", "Open requests past their service-level deadline");
  const groupUsed = gauge("aspirasi_group_sends_last_minute", "Messages sent to the officers' group in the last minute");
  const groupBudget = gauge("aspirasi_group_budget_per_minute", "The officers' group budget per minute");
  const jobRuns = gauge("aspirasi_job_runs", "Scheduled job runs recorded, by job and outcome", ["job", "outcome"]);
  const figuresFailed = new Counter({ name: "aspirasi_metrics_figures_failed_total", help: "Scrapes whose database figures could not be read", registers: [registry] });

  return {
    contentType: registry.contentType,
    update(kind, outcome, s) {
      updates.inc({ kind, outcome });
      seconds.observe({ kind }, s);
    },
    call(channel, method, result) {
      calls.inc({ channel, method: METHOD.test(method) ? method : "other", result });
    },
    databaseError() {
      dbErrors.inc();
    },
    async render() {
      try {
        const f = await o.figures();
        for (const x of f.outbox) {
          outboxPending.set({ channel: x.channel }, x.pending);
          outboxOldest.set({ channel: x.channel }, x.oldestSeconds);
          outboxFailed.set({ channel: x.channel }, x.failed);
        }
        for (const d of f.dialogues) dialogues.set({ channel: d.channel }, d.open);
        requests.reset();
        for (const r of f.requests) requests.set({ status: r.status }, r.count);
        pastDeadline.set(f.pastDeadline);
        groupUsed.set(f.groupSendsLastMinute);
        groupBudget.set(o.groupLimit);
        jobRuns.reset();
        for (const j of f.jobRuns) jobRuns.set({ job: j.job, outcome: j.outcome }, j.count);
      } catch {
        // The database is away: the counters and process figures are still worth scraping.
        figuresFailed.inc();
      }
      return registry.metrics();
    },
  };
}

/** The kind of an update: its one field besides update_id (message, callback_query, …). */
export function updateKind(update: object): string {
  return Object.keys(update).find((k) => k !== "update_id") ?? "unknown";
}

/** How a Bot API answer (or its absence) is counted. */
export function callResult(ok: boolean | undefined, code: number | undefined): CallResult {
  if (ok) return "ok";
  if (code === 429) return "429";
  if (code !== undefined && code >= 500) return "5xx";
  if (code !== undefined) return "4xx";
  return "network";
}

/** A Bot API call's method: the last part of its path (…/bot<token>/sendMessage). */
export function telegramMethod(href: string): string {
  return href.split("?")[0].split("/").pop() ?? "other";
}

/**
 * A Graph API call's kind, without the ids in its path: `messages`, `media_upload`, `media_info`
 * ({root}/{media-id}), or `media_download` (the short-lived URL on Meta's media host).
 */
export function graphMethod(apiRoot: string): (href: string, init?: RequestInit) => string {
  return (href, init) => {
    if (!href.startsWith(`${apiRoot}/`)) return "media_download";
    const path = href.slice(apiRoot.length + 1).split("?")[0];
    if (path.endsWith("/messages")) return "messages";
    if (path.endsWith("/media")) return "media_upload";
    return (init?.method ?? "GET").toUpperCase() === "GET" ? "media_info" : "other";
  };
}

/**
 * A `fetch` that counts every HTTP call by channel, method and status (for the Bot API client each
 * retry too: under the retrying layer, it sees the 429s and 5xx the bot rides out).
 */
export function countingFetch(
  inner: typeof fetch,
  metrics: Pick<Metrics, "call">,
  channel: "telegram" | "whatsapp" = "telegram",
  methodOf: (href: string, init?: RequestInit) => string = telegramMethod,
): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const href = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = methodOf(href, init);
    try {
      const res = await inner(input, init);
      metrics.call(channel, method, callResult(res.ok, res.status));
      return res;
    } catch (err) {
      metrics.call(channel, method, "network");
      throw err;
    }
  }) as typeof fetch;
}

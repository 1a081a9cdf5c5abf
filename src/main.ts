/* The only file with process side effects: config, database, bot, polling | webhook, dispatcher, shutdown. */
import "dotenv/config";
import { run, type RunnerHandle } from "@grammyjs/runner";
import { BotError, type Bot } from "grammy";
import type { Update } from "grammy/types";
import { loadConfig, ConfigError, type Config, type PollingTransport, type Transport, type WebhookTransport } from "./config";
import { createLogger, type Logger } from "./logger";
import mongoose from "mongoose";
import { connectDatabase, type Database } from "./db";
import { runMigrations } from "./db/migrations";
import { startConnectionWatchdog, type Watchdog } from "./db/watchdog";
import { ensureProcessedUpdateIndex, purgeExpiredUpdates } from "./domain/processed-updates";
import { startStampPolling, type StampPoller } from "./db/shared-stamps";
import { purgeAbandonedDialogues } from "./domain/dialogue-states";
import { purgeIdleGuests } from "./domain/privacy";
import { createBot } from "./bot";
import { startPresence, type Presence } from "./db/presence";
import { purgeClaimedSends } from "./bot/claimed-sends";
import type { BotContext } from "./bot/context";
import { refreshCommands } from "./bot/commands";
import { createDispatcher, type Dispatcher } from "./delivery/dispatcher";
import { createDeliveryApi } from "./delivery/api";
import { createHttpServer, type HttpServer, type HttpServerOptions, type RawEndpoint } from "./server/http-server";
import { updateHandler, type UpdateHandler } from "./bot/update-handler";
import { countingFetch, createMetrics, type Metrics } from "./server/metrics";
import { operationsFigures } from "./domain/operations-figures";
import { DEFAULT_GROUP_LIMIT } from "./delivery/group-budget";
import { startWhatsApp, type WhatsAppRunning } from "./whatsapp/start";
import { purgeHandledInbound } from "./whatsapp/inbound";
import { programReminderJob, resumeAnnouncements } from "./domain/program-notices";
import { pingDatabase } from "./server/health";
import { createScheduler, type Scheduler } from "./domain/scheduler";
import { recomputeOpenDeadlines, slaJobs } from "./domain/sla-jobs";
import { silentClosureJob } from "./domain/closure";
import { monthlyReportJob } from "./domain/monthly-report-job";
import { systemClock } from "./lib/clock";
import { seedAtStart } from "./scripts/seed-at-start";

/** The update kinds the bot reads (members' messages and buttons, the officers' group, being added to it). */
const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;
/** Shutdown: everything must be done within this (process managers kill after ~10 s). */
const SHUTDOWN_DEADLINE_MS = 9_500;
/** How long an update may run at shutdown before we give up on it (the rest goes to closing). */
const DRAIN_MS = 7_500;
/** Telegram re-sends a webhook update it gets no answer for; answer before that. */
const WEBHOOK_REPLY_AFTER_MS = 8_000;
/** The dispatcher's Bot API call is aborted after this (and retried by the outbox), so shutdown stays in time. */
const SEND_TIMEOUT_MS = 7_000;
const PURGE_EVERY_MS = 15 * 60 * 1000;

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/** A fresh database gets the sentras of data/sentras.json, so the onboarding has something to offer. */
function sleep(ms: number) {
  return new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
}

/** Waits until `done()` or `ms` passed; true when done. */
async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= until) return false;
    await sleep(25);
  }
  return true;
}

/** What runs, so a signal during start-up stops what exists so far. */
interface Running {
  db?: Database;
  http?: HttpServer;
  runner?: RunnerHandle;
  dispatcher?: Dispatcher;
  scheduler?: Scheduler;
  purge?: NodeJS.Timeout;
  stamps?: StampPoller;
  watchdog?: Watchdog;
  presence?: Presence;
  whatsapp?: WhatsAppRunning;
}

/** The process's life: what runs, whether it is stopping, and the one way it stops. */
interface Life {
  running: Running;
  stopping(): boolean;
  shutdown(signal: string, exitCode?: number): Promise<void>;
}

/** SIGTERM and SIGINT stop what `running` holds within SHUTDOWN_DEADLINE_MS; a second signal exits at once. */
function handleSignals(mode: Transport["mode"], logger: Logger): Life {
  const running: Running = {};
  let stopping = false;
  const shutdown = async (signal: string, exitCode = 0) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    const inFlight = running.runner?.size() ?? running.http?.inFlight ?? 0;
    logger.info({ signal, mode, inFlight }, "shutting down");
    setTimeout(() => {
      logger.error("shutdown took longer than 10 s: exiting");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    let clean = true;
    try {
      clearInterval(running.purge);
      running.stamps?.stop();
      running.watchdog?.stop();
      // 1. No new updates; 2. the updates already taken in finish (meanwhile the dispatcher finishes
      // the send it is in and stops: what updates queue now waits in the outbox for the next start).
      const stopUpdates = async () => {
        running.http?.stopTakingUpdates();
        if (running.runner) {
          // stop() resolves once the fetch loop ended: every fetched batch is in the runner's sink.
          if (running.runner.isRunning()) await running.runner.stop();
          const runner = running.runner;
          if (!(await waitFor(() => runner.size() === 0, DRAIN_MS))) {
            clean = false;
            logger.error({ inFlight: runner.size() }, "updates still running at the shutdown deadline");
          }
        }
        if (running.http) {
          const http = running.http;
          const drained = await Promise.race([http.idle().then(() => true), sleep(DRAIN_MS).then(() => false)]);
          if (!drained) {
            clean = false;
            logger.error({ inFlight: http.inFlight }, "webhook updates still running at the shutdown deadline");
          }
        }
      };
      await Promise.all([stopUpdates(), running.dispatcher?.stop(), running.scheduler?.stop(), running.whatsapp?.stop()]);
      await running.http?.close();
      await running.presence?.stop();
      await running.db?.close();
      logger.info({ clean }, clean ? "stopped cleanly" : "stopped with work left undone");
      process.exit(clean ? exitCode : 1);
    } catch (err) {
      logger.error({ err }, "error during shutdown");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return { running, stopping: () => stopping, shutdown };
}

/**
 * The database, ready: connected, seeded when empty, deadlines of open requests computed, and the
 * periodic purges and cache-stamp polling started.
 */
async function prepareDatabase(config: Config, logger: Logger, { running, stopping }: Life) {
  running.db = await connectDatabase({ uri: config.mongodbUri, dbPath: config.embeddedDbPath, logger });
  if (stopping()) return;
  // Documents an earlier release stored in an older shape are brought up to date first (db/migrations.ts).
  await runMigrations(mongoose.connection.db!, { logger });
  await seedAtStart(logger);
  // Open requests saved before deadlines existed (or before another process changed the calendar or
  // this one's service levels) get their due dates now, by the configured service levels; those
  // already right are not written.
  const recomputed = await recomputeOpenDeadlines({ now: new Date(), sla: config.sla });
  // A program's announcement that a stop cut short is finished (those already queued are skipped).
  const announced = await resumeAnnouncements(new Date());
  if (announced > 0) logger.info({ members: announced }, "program announcements finished");
  if (recomputed > 0) logger.info({ requests: recomputed }, "deadlines of open requests computed");
  const expiry = await ensureProcessedUpdateIndex();
  logger.info({ expiry }, expiry === "ttl" ? "update ids expire by TTL index" : "update ids expire by the code's purge (no TTL index on this server)");
  // What FerretDB would not expire by itself (no TTL indexes), each with what its log lines say.
  const purges: [(now: Date) => Promise<number>, string][] = [
    [purgeExpiredUpdates, "expired update ids"],
    // Abandoned dialogues hold typed answers and phone numbers.
    [purgeAbandonedDialogues, "abandoned dialogue states"],
    // Claims of sends made while processes shared the database (bot/claimed-sends.ts).
    [purgeClaimedSends, "old send claims"],
    // A guest's /bahasa record, when no registration followed.
    [purgeIdleGuests, "idle guest records"],
    // WhatsApp messages handled a week ago (their words are the member's).
    [purgeHandledInbound, "handled WhatsApp messages"],
  ];
  const purge = () =>
    Promise.all(
      purges.map(([fn, what]) =>
        fn(new Date()).then(
          (n) => n > 0 && logger.info({ deleted: n }, `${what} deleted`),
          (err) => logger.warn({ err }, `could not delete ${what}`),
        ),
      ),
    );
  await purge();
  running.purge = setInterval(() => void purge(), PURGE_EVERY_MS);
  // Changes other processes make to members, officers, sentras and prompts reach this one's caches.
  // Connections that stay unusable after the database came back are made again.
  const db = running.db;
  running.watchdog = startConnectionWatchdog({ ping: () => mongoose.connection.db!.admin().ping(), reconnect: () => db.reconnect(), logger });
  running.stamps = startStampPolling({ onError: (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, "cache stamps not read") });
  running.purge.unref();
  // Whether another process serves this database (heartbeats): then dialogue states are read fresh.
  const presence = await startPresence({
    mode: config.multiProcess,
    onChange: (shared, others) =>
      logger.info({ others }, shared ? "another bot process serves this database: dialogue states are read fresh" : "alone on the database again: dialogue states cached"),
    onError: (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, "heartbeat not written"),
  });
  running.presence = presence;
  logger.info({ mode: config.multiProcess, others: presence.others(), shared: presence.shared() }, "process presence");
}

/** What a transport needs to take updates in. */
interface Intake {
  bot: Bot<BotContext>;
  logger: Logger;
  life: Life;
  handleUpdate: UpdateHandler;
  /** Other senders' webhooks on the same server (WhatsApp's /whatsapp). */
  endpoints: RawEndpoint[];
  /** GET /metrics, when METRICS_TOKEN is set. */
  metrics: HttpServerOptions["metrics"];
}

/** Webhook mode: the HTTP server takes Telegram's posts (and /healthz), then Telegram is told the URL. */
async function startWebhook(t: WebhookTransport, { bot, logger, life, handleUpdate, endpoints, metrics }: Intake) {
  const webhookPath = new URL(t.url).pathname;
  const http = createHttpServer({
    port: t.port,
    logger,
    healthy: () => pingDatabase(),
    endpoints,
    metrics,
    webhook: { path: webhookPath, secret: t.secret, handle: handleUpdate, replyAfterMs: WEBHOOK_REPLY_AFTER_MS },
  });
  life.running.http = http;
  const { port } = await http.listen();
  await bot.api.setWebhook(t.url, { secret_token: t.secret, allowed_updates: [...ALLOWED_UPDATES] });
  logger.info({ port, path: webhookPath }, "webhook set: taking updates over HTTPS via the host");
}

/** Polling mode: exactly one getUpdates loop (and /healthz on PORT when it is set). */
async function startPolling(t: PollingTransport, { bot, logger, life, handleUpdate, endpoints, metrics }: Intake) {
  if (t.healthPort) {
    const http = createHttpServer({ port: t.healthPort, logger, healthy: () => pingDatabase(), endpoints, metrics });
    life.running.http = http;
    const { port } = await http.listen();
    logger.info({ port, endpoints: endpoints.map((e) => e.path) }, "health check on /healthz");
  }
  // A webhook left over from an earlier deployment would make getUpdates fail (409).
  await bot.api.deleteWebhook();
  // Exactly one poller; createBot puts `sequentialize` by chat before the dialogue plugin.
  const runner = run(
    { api: bot.api, errorHandler: (err: unknown) => bot.errorHandler(err as BotError<BotContext>), handleUpdate: (u: Update) => handleUpdate(u) },
    { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } },
  );
  life.running.runner = runner;
  logger.info("polling for updates");
  // The runner gives up on 401 (wrong token) and 409 (another process polls this bot, or a
  // webhook is set): the process must not linger without taking updates.
  void runner.task()?.catch((err: unknown) => {
    logger.fatal({ err }, "polling stopped: is another instance polling this bot, or was a webhook set?");
    void life.shutdown("polling-error", 1);
  });
}

/** The outbox dispatcher and the service-level jobs (08:00 WITA digest, reminders, escalations, closure by silence). */
function startBackground(config: Config, logger: Logger, running: Running, metrics?: Metrics) {
  const api = createDeliveryApi(config, metrics ? { fetch: countingFetch(fetch, metrics) } : {});
  running.dispatcher = createDispatcher(api, { logger, config, sendTimeoutMs: SEND_TIMEOUT_MS });
  running.dispatcher.start();
  logger.info("outbox dispatcher started");
  // A missed slot of today runs now.
  const jobs = [...slaJobs(config), silentClosureJob(config.sla), monthlyReportJob({ adminIds: config.adminIds, at: config.sla.digestTime }), programReminderJob()];
  running.scheduler = createScheduler(jobs, { clock: systemClock, logger });
  running.scheduler.start();
  logger.info({ at: config.sla.digestTime }, "scheduler started");
}

async function main() {
  const config = readConfig();
  const logger = createLogger(config);
  const life = handleSignals(config.transport.mode, logger);
  await prepareDatabase(config, logger, life);
  if (life.stopping()) return;

  const metrics = config.metricsToken ? createMetrics({ figures: () => operationsFigures(new Date()), groupLimit: DEFAULT_GROUP_LIMIT.max }) : undefined;
  if (metrics) mongoose.connection.on("error", () => metrics.databaseError());
  const bot = createBot(config, { logger, shared: life.running.presence?.shared, metrics });
  await bot.init();
  logger.info({ username: bot.botInfo.username }, "bot identity confirmed");
  await refreshCommands(bot.api, config).catch((err) => logger.warn({ err }, "could not register the command list"));
  if (life.stopping()) return;

  const whatsapp = startWhatsApp(config, logger, life.running.presence?.shared, metrics);
  life.running.whatsapp = whatsapp ?? undefined;
  const endpoints = whatsapp ? [whatsapp.endpoint] : [];
  const intake: Intake = {
    bot,
    logger,
    life,
    handleUpdate: updateHandler(bot, logger, life.stopping, metrics),
    endpoints,
    metrics: metrics && config.metricsToken ? { token: config.metricsToken, metrics } : undefined,
  };
  if (config.transport.mode === "webhook") await startWebhook(config.transport, intake);
  else await startPolling(config.transport, intake);
  startBackground(config, logger, life.running, metrics);
}

main().catch((err) => {
  console.error(`start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

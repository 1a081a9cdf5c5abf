/* The only file with process side effects: config, database, bot, polling, shutdown. */
import "dotenv/config";
import path from "node:path";
import fs from "node:fs";
import { run, type RunnerHandle } from "@grammyjs/runner";
import { loadConfig, ConfigError, type Config } from "./config";
import { createLogger, type Logger } from "./logger";
import { connectDatabase } from "./db";
import { Sentra } from "./db/models/sentra";
import { seedSentras, type SentraSeed } from "./domain/sentras";
import { createBot } from "./bot";
import { registerCommands } from "./bot/commands";

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
async function seedIfEmpty(logger: Logger) {
  if ((await Sentra.estimatedDocumentCount()) > 0) return;
  const file = path.resolve(__dirname, "..", "data", "sentras.json");
  if (!fs.existsSync(file)) return;
  const res = await seedSentras(JSON.parse(fs.readFileSync(file, "utf8")) as SentraSeed[]);
  logger.info(res, "empty database: sentras loaded from data/sentras.json");
}

async function main() {
  const config = readConfig();
  const logger = createLogger(config);
  const db = await connectDatabase({ uri: config.mongodbUri, dbPath: config.embeddedDbPath, logger });
  await seedIfEmpty(logger);

  const bot = createBot(config, { logger });
  await bot.init();
  logger.info({ username: bot.botInfo.username }, "bot identity confirmed");
  await registerCommands(bot.api).catch((err) => logger.warn({ err }, "could not register the command list"));

  // Exactly one poller; createBot puts `sequentialize` by chat before the dialogue plugin.
  const handle: RunnerHandle = run(bot, {
    runner: { fetch: { allowed_updates: ["message", "callback_query", "my_chat_member"] } },
  });
  logger.info("polling for updates");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      logger.error("shutdown took longer than 10 s: exiting");
      process.exit(1);
    }, 10_000);
    timer.unref();
    try {
      if (handle.isRunning()) await handle.stop();
      await db.close();
      logger.info("stopped cleanly");
      process.exit(0);
    } catch (err) {
      logger.error({ err }, "error during shutdown");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  console.error(`start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

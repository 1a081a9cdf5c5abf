/**
 * The WhatsApp channel when configured (main.ts calls it once): the inbox worker and the WhatsApp
 * side of the outbox start, and the `/whatsapp` endpoint it returns joins the bot's HTTP server.
 * Null when WHATSAPP_ACCESS_TOKEN is unset.
 */
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { RawEndpoint } from "../server/http-server";
import { systemClock } from "../lib/clock";
import { createDeliveryApi } from "../delivery/api";
import { whatsappEndpoint } from "./endpoint";
import { startInboundWorker } from "./worker";
import { createWhatsAppChannel } from "./channel";
import { WhatsAppClient } from "./client";
import { createWhatsAppDispatcher, type TelegramFileReader } from "./dispatcher";
import { preloadWhatsAppSenders } from "../domain/whatsapp-members";
import { countingFetch, graphMethod, type Metrics } from "../server/metrics";

/** Largest officer's file copied to WhatsApp (Meta takes images up to 5 MB, audio up to 16 MB). */
const TELEGRAM_FILE_MAX = 5 * 1024 * 1024;

/** Reads a file the officers sent on Telegram (getFile, then the file URL), for uploading to Meta. */
export function telegramFileReader(config: Pick<Config, "botToken" | "telegramApiRoot">, fetchFn: typeof fetch = fetch): TelegramFileReader {
  const api = createDeliveryApi(config);
  const root = config.telegramApiRoot ?? "https://api.telegram.org";
  return async (fileId) => {
    const file = await api.getFile(fileId);
    if (!file.file_path) throw new Error("Telegram gave no file path");
    if ((file.file_size ?? 0) > TELEGRAM_FILE_MAX) throw new RangeError(`file of ${file.file_size} bytes is over ${TELEGRAM_FILE_MAX}`);
    const res = await fetchFn(`${root}/file/bot${config.botToken}/${file.file_path}`, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`Telegram file download: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const mime = file.file_path.endsWith(".oga") || file.file_path.endsWith(".ogg") ? "audio/ogg" : file.file_path.endsWith(".png") ? "image/png" : "image/jpeg";
    return { bytes, mime };
  };
}

export interface WhatsAppRunning {
  endpoint: RawEndpoint;
  stop(): Promise<void>;
}

export function startWhatsApp(config: Config, logger: Logger, shared: () => boolean = () => config.multiProcess === true, metrics?: Pick<Metrics, "call">): WhatsAppRunning | null {
  if (!config.whatsapp) return null;
  // Every Graph API call counted (GET /metrics), each retry of the outbox too.
  const client = new WhatsAppClient(config.whatsapp, metrics ? countingFetch(fetch, metrics, "whatsapp", graphMethod(config.whatsapp.apiRoot)) : fetch);
  const dispatcher = createWhatsAppDispatcher({ client, settings: config.whatsapp, config, logger, clock: systemClock, telegramFile: telegramFileReader(config) });
  const handle = createWhatsAppChannel({ client, config, logger, clock: systemClock, wakeOutbox: () => dispatcher.nudge(), shared });
  const worker = startInboundWorker(handle, { logger, clock: systemClock, shared });
  dispatcher.start();
  logger.info("WhatsApp channel on: taking messages at /whatsapp");
  // Members' first messages after the restart read their record by _id (a failure costs only that).
  preloadWhatsAppSenders().then(
    (n) => logger.info({ members: n }, "WhatsApp members read for the channel"),
    (err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, "WhatsApp members not read ahead; found on their first message"),
  );
  return {
    endpoint: whatsappEndpoint(config.whatsapp, { logger, clock: systemClock, inbox: worker, onStored: () => dispatcher.nudge() }),
    stop: async () => {
      await Promise.all([worker.stop(), dispatcher.stop()]);
    },
  };
}

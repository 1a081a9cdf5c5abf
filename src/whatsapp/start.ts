/**
 * The WhatsApp channel when configured (main.ts calls it once): the inbox worker starts, and the
 * `/whatsapp` endpoint it returns joins the bot's HTTP server. Null when WHATSAPP_ACCESS_TOKEN is unset.
 */
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { RawEndpoint } from "../server/http-server";
import { systemClock } from "../lib/clock";
import { whatsappEndpoint } from "./endpoint";
import { startInboundWorker, type InboundWorker } from "./worker";
import { createWhatsAppChannel } from "./channel";
import { WhatsAppClient } from "./client";

export function startWhatsApp(config: Config, logger: Logger): { worker: InboundWorker; endpoint: RawEndpoint } | null {
  if (!config.whatsapp) return null;
  const client = new WhatsAppClient(config.whatsapp);
  const handle = createWhatsAppChannel({ client, config, logger, clock: systemClock });
  const worker = startInboundWorker(handle, { logger, clock: systemClock });
  logger.info("WhatsApp channel on: taking messages at /whatsapp");
  return { worker, endpoint: whatsappEndpoint(config.whatsapp, { logger, clock: systemClock, onStored: () => worker.wake() }) };
}

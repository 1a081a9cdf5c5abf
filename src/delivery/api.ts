import { Api, type ApiClientOptions } from "grammy";
import type { Config } from "../config";
import { htmlParseMode } from "../telegram/parse-mode";

/**
 * The Bot API client of the dispatcher: HTML parse mode like the bot's, but no auto-retry (the
 * outbox schedules its own retries, and waiting inside a call would hold up every other message).
 */
export function createDeliveryApi(config: Pick<Config, "botToken" | "telegramApiRoot">, client: ApiClientOptions = {}): Api {
  const api = new Api(config.botToken, { ...(config.telegramApiRoot ? { apiRoot: config.telegramApiRoot } : {}), ...client });
  api.config.use(htmlParseMode);
  return api;
}

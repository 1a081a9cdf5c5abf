import pino, { type Logger } from "pino";
import type { Config } from "./config";

export type { Logger };

/** Paths that must never reach the log: tokens, phone numbers, contact payloads. */
export const REDACT_PATHS = [
  "botToken",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "phone",
  "*.phone",
  "*.phone_number",
  "*.*.phone_number",
  "*.contact",
  "*.*.contact",
];

export function createLogger(config: Pick<Config, "logLevel" | "nodeEnv">): Logger {
  const pretty = config.nodeEnv === "development" && process.stdout.isTTY;
  return pino({
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { app: "aspirasi-ikm" },
    ...(pretty ? { transport: { target: "pino-pretty", options: { translateTime: "SYS:standard" } } } : {}),
  });
}

import pino, { type Logger, type DestinationStream } from "pino";
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
  // A failed Bot API call's error carries the whole request (message text, keyboards): it may hold
  // a member's phone number or answers. The method, error code and description stay.
  "err.payload",
  "error.payload",
  "*.err.payload",
];

/** `destination`: where the JSON lines go (stdout by default; tests pass a stream to read them). */
export function createLogger(config: Pick<Config, "logLevel" | "nodeEnv">, destination?: DestinationStream): Logger {
  const pretty = !destination && config.nodeEnv === "development" && process.stdout.isTTY;
  const options = {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { app: "aspirasi-ikm" },
    ...(pretty ? { transport: { target: "pino-pretty", options: { translateTime: "SYS:standard" } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

import { z } from "zod";
import { SLA_DEFAULTS } from "./vocabulary/service-levels";
import { GRAPH_API_ROOT, whatsappFields, whatsappOf, type WhatsAppSettings } from "./config-whatsapp";
export { GRAPH_API_ROOT, type WhatsAppSettings };

/** Languages the bot speaks; `id` is the default for members. */
export const LOCALES = ["id", "en"] as const;
export type Locale = (typeof LOCALES)[number];

export { SLA_DEFAULTS };

export interface SlaSettings {
  responseDays: number;
  followupDays: number;
  totalDays: number;
  escalateAfterDays: number;
  memberReminderDays: number;
  /** "HH:MM", WITA. */
  digestTime: string;
}

/** Updates by getUpdates; `healthPort` (PORT) serves only /healthz. */
export interface PollingTransport {
  mode: "polling";
  healthPort?: number;
}

/** Updates posted by Telegram to `url`, received on `port` (/healthz there too). */
export interface WebhookTransport {
  mode: "webhook";
  url: string;
  secret: string;
  port: number;
}

export type Transport = PollingTransport | WebhookTransport;

export interface Config {
  nodeEnv: "development" | "production" | "test";
  botToken: string;
  /** Unset means: start the embedded MongoDB (mongodb-memory-server) under `.data/mongodb`. */
  mongodbUri?: string;
  embeddedDbPath: string;
  telegramApiRoot?: string;
  adminIds: number[];
  officerGroupId?: number;
  defaultLocale: Locale;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** How updates arrive: set by WEBHOOK_URL (then WEBHOOK_SECRET and PORT are required). */
  transport: Transport;
  /** Flood control: messages a member may send within `floodWindowMs` (0: off). */
  floodMaxMessages: number;
  floodWindowMs: number;
  /**
   * Whether several bot processes share the database (webhook mode behind a load balancer): dialogue
   * states are then read from the database for every update instead of from this process's cache.
   * "auto" (the default): decided by the processes' heartbeats (db/presence.ts).
   */
  multiProcess: "auto" | boolean;
  sla: SlaSettings;
  /** The WhatsApp channel for members: on when WHATSAPP_ACCESS_TOKEN is set (then its other settings are required). */
  whatsapp?: WhatsAppSettings;
  /** GET /metrics (Prometheus) on the HTTP server, behind this Bearer token: off when unset. */
  metricsToken?: string;
}

/** Thrown for a wrong or missing setting; its message is the one line printed at start-up. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const telegramId = z
  .string()
  .regex(/^-?\d{1,20}$/, "a Telegram id (digits, groups start with -100)")
  .transform(Number);

/** A number of working days, 1 to 60 (after emptyToUndefined). */
function workingDays(fallback: number) {
  return z
    .string()
    .regex(/^\d{1,2}$/, "must be a whole number of working days")
    .default(String(fallback))
    .transform(Number)
    .refine((n) => n >= 1 && n <= 60, "must be between 1 and 60 working days");
}

const fields = {
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(["development", "production", "test"], { error: "must be development, production or test" }).default("development")),
  BOT_TOKEN: z
    .string({ error: "required: the bot token from @BotFather, like 123456789:AAE..." })
    .regex(/^\d{5,}:[A-Za-z0-9_-]{30,}$/, "must look like 123456789:AAE... (the token from @BotFather)"),
  MONGODB_URI: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\/[^\s]+$/, "must be a MongoDB connection string (mongodb:// or mongodb+srv://)")
      .optional(),
  ),
  EMBEDDED_DB_PATH: z.preprocess(emptyToUndefined, z.string().default(".data/mongodb")),
  TELEGRAM_API_ROOT: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^https?:\/\/[^\s]+$/, "must be an http(s) URL of a Bot API server")
      .optional(),
  ),
  ADMIN_IDS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\s*\d{1,20}\s*(,\s*\d{1,20}\s*)*$/, "must be Telegram user ids separated by commas, like 12345,67890")
      .optional(),
  ),
  OFFICER_GROUP_ID: z.preprocess(emptyToUndefined, telegramId.optional()),
  DEFAULT_LOCALE: z.preprocess(emptyToUndefined, z.enum(LOCALES, { error: "must be id or en" }).default("id")),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
        error: "must be one of fatal, error, warn, info, debug, trace, silent",
      })
      .default("info"),
  ),
  WEBHOOK_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^https:\/\/[^\s]+$/, "must be the public https:// URL Telegram posts updates to")
      .optional(),
  ),
  WEBHOOK_SECRET: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, "must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
      .optional(),
  ),
  PORT: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d{1,5}$/, "must be a TCP port number")
      .transform(Number)
      .refine((n) => n > 0 && n < 65536, "must be a TCP port number between 1 and 65535")
      .optional(),
  ),
  FLOOD_MAX_MESSAGES: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d{1,4}$/, "must be a whole number (0 turns flood control off)")
      .default("20")
      .transform(Number),
  ),
  FLOOD_WINDOW_SECONDS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d{1,4}$/, "must be a whole number of seconds")
      .default("10")
      .transform(Number)
      .refine((n) => n > 0, "must be at least 1"),
  ),
  MULTI_PROCESS: z.preprocess(emptyToUndefined, z.enum(["auto", "true", "false"], { error: "must be auto, true or false" }).default("auto")),
  SLA_RESPONSE_DAYS: z.preprocess(emptyToUndefined, workingDays(SLA_DEFAULTS.responseDays)),
  SLA_FOLLOWUP_DAYS: z.preprocess(emptyToUndefined, workingDays(SLA_DEFAULTS.followupDays)),
  SLA_TOTAL_DAYS: z.preprocess(emptyToUndefined, workingDays(SLA_DEFAULTS.totalDays)),
  SLA_ESCALATE_AFTER_DAYS: z.preprocess(emptyToUndefined, workingDays(SLA_DEFAULTS.escalateAfterDays)),
  SLA_MEMBER_REMINDER_DAYS: z.preprocess(emptyToUndefined, workingDays(SLA_DEFAULTS.memberReminderDays)),
  ...whatsappFields(emptyToUndefined),
  METRICS_TOKEN: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9._~+/=-]{16,256}$/, "must be 16-256 characters without spaces (a random token, e.g. openssl rand -hex 24)")
      .optional(),
  ),
  DIGEST_TIME: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day HH:MM (WITA), like 08:00")
      .default(SLA_DEFAULTS.digestTime),
  ),
};

/** The embedded MongoDB is for trying the bot out: production must name its database. */
function requireDatabaseInProduction(env: { NODE_ENV: string; MONGODB_URI?: string }, ctx: z.RefinementCtx) {
  if (env.NODE_ENV === "production" && !env.MONGODB_URI) {
    ctx.addIssue({
      code: "custom",
      path: ["MONGODB_URI"],
      message: "required when NODE_ENV=production (the embedded MongoDB is for trying the bot out, not for real data)",
    });
  }
}

/** The transport WEBHOOK_URL, WEBHOOK_SECRET and PORT name; webhook mode needs all three. */
function transportOf(env: { WEBHOOK_URL?: string; WEBHOOK_SECRET?: string; PORT?: number }, ctx: z.RefinementCtx): Transport {
  const { WEBHOOK_URL: url, WEBHOOK_SECRET: secret, PORT: port } = env;
  if (!url) return { mode: "polling", healthPort: port };
  if (!secret) ctx.addIssue({ code: "custom", path: ["WEBHOOK_SECRET"], message: "required when WEBHOOK_URL is set" });
  if (!port) ctx.addIssue({ code: "custom", path: ["PORT"], message: "required when WEBHOOK_URL is set (the port the webhook server listens on)" });
  return secret && port ? { mode: "webhook", url, secret, port } : z.NEVER;
}

// The pipe stops at the first failing step: a transform only sees an environment that passed.
const schema = z
  .object(fields)
  .superRefine(requireDatabaseInProduction)
  .superRefine((env, ctx) => {
    if (env.METRICS_TOKEN && !env.PORT) ctx.addIssue({ code: "custom", path: ["PORT"], message: "required when METRICS_TOKEN is set (/metrics is served on it)" });
  })
  .transform((env, ctx) => ({ ...env, transport: transportOf(env, ctx), whatsapp: whatsappOf(env, ctx) }));

/** Reads and validates the environment. Throws ConfigError naming the first wrong variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseOrThrow(schema, env);
  return {
    nodeEnv: e.NODE_ENV,
    botToken: e.BOT_TOKEN,
    mongodbUri: e.MONGODB_URI,
    embeddedDbPath: e.EMBEDDED_DB_PATH,
    telegramApiRoot: e.TELEGRAM_API_ROOT,
    adminIds: e.ADMIN_IDS ? e.ADMIN_IDS.split(",").map((s) => Number(s.trim())) : [],
    officerGroupId: e.OFFICER_GROUP_ID,
    defaultLocale: e.DEFAULT_LOCALE,
    logLevel: e.LOG_LEVEL,
    transport: e.transport,
    floodMaxMessages: e.FLOOD_MAX_MESSAGES,
    floodWindowMs: e.FLOOD_WINDOW_SECONDS * 1000,
    multiProcess: e.MULTI_PROCESS === "auto" ? "auto" : e.MULTI_PROCESS === "true",
    sla: {
      responseDays: e.SLA_RESPONSE_DAYS,
      followupDays: e.SLA_FOLLOWUP_DAYS,
      totalDays: e.SLA_TOTAL_DAYS,
      escalateAfterDays: e.SLA_ESCALATE_AFTER_DAYS,
      memberReminderDays: e.SLA_MEMBER_REMINDER_DAYS,
      digestTime: e.DIGEST_TIME,
    },
    ...(e.whatsapp ? { whatsapp: e.whatsapp } : {}),
    ...(e.METRICS_TOKEN ? { metricsToken: e.METRICS_TOKEN } : {}),
  };
}

/** The one-line ConfigError for the first wrong variable, or the parsed environment. */
function parseOrThrow<T>(target: z.ZodType<T>, env: NodeJS.ProcessEnv): T {
  const parsed = target.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0] ?? "environment");
  const message =
    issue.code === "invalid_type" && env[name] === undefined && name === "BOT_TOKEN" ? "required: the bot token from @BotFather, like 123456789:AAE..." : issue.message;
  throw new ConfigError(`Configuration error: ${name} ${message}`);
}

export type DatabaseConfig = Pick<Config, "nodeEnv" | "mongodbUri" | "embeddedDbPath" | "logLevel">;

const databaseSchema = z
  .object({
    NODE_ENV: fields.NODE_ENV,
    MONGODB_URI: fields.MONGODB_URI,
    EMBEDDED_DB_PATH: fields.EMBEDDED_DB_PATH,
    LOG_LEVEL: fields.LOG_LEVEL,
  })
  .superRefine(requireDatabaseInProduction);

/**
 * Only the database settings, validated by the same rules as `loadConfig` (for `npm run seed`,
 * which needs no bot token).
 */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const e = parseOrThrow(databaseSchema, env);
  return { nodeEnv: e.NODE_ENV, mongodbUri: e.MONGODB_URI, embeddedDbPath: e.EMBEDDED_DB_PATH, logLevel: e.LOG_LEVEL };
}

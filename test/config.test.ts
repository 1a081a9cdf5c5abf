/**
 * Configuration: every wrong or missing value stops start-up with ONE line naming the variable.
 * Checked on loadConfig and on the real process (`tsx src/main.ts`, in an empty folder so no
 * developer's .env interferes): exit code 1, one line on stderr, nothing on stdout.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig, ConfigError, SLA_DEFAULTS, GRAPH_API_ROOT } from "../src/config";

const TOKEN = "123456789:AAEabcdefghijklmnopqrstuvwxyz0123456";
const ROOT = path.resolve(__dirname, "..");

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe("loadConfig", () => {
  test("a valid environment gives a typed config with the defaults", () => {
    const config = loadConfig({ BOT_TOKEN: TOKEN, ADMIN_IDS: " 12345, 678901 ", MONGODB_URI: "mongodb://127.0.0.1:27017/aspirasi" });
    expect(config).toMatchObject({
      nodeEnv: "development",
      botToken: TOKEN,
      mongodbUri: "mongodb://127.0.0.1:27017/aspirasi",
      embeddedDbPath: ".data/mongodb",
      adminIds: [12345, 678901],
      defaultLocale: "id",
      logLevel: "info",
    });
    expect(config.telegramApiRoot).toBeUndefined();
  });

  test("service levels: the defaults of SLA_DEFAULTS, each changeable, bad values named", () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN }).sla).toEqual({ ...SLA_DEFAULTS });
    expect(loadConfig({ BOT_TOKEN: TOKEN, SLA_RESPONSE_DAYS: "2", SLA_TOTAL_DAYS: "10", DIGEST_TIME: "07:30" }).sla).toMatchObject({
      responseDays: 2,
      totalDays: 10,
      digestTime: "07:30",
      followupDays: 5,
    });
    expect(errorOf({ BOT_TOKEN: TOKEN, SLA_FOLLOWUP_DAYS: "0" })).toBe("Configuration error: SLA_FOLLOWUP_DAYS must be between 1 and 60 working days");
    expect(errorOf({ BOT_TOKEN: TOKEN, SLA_RESPONSE_DAYS: "tiga" })).toBe("Configuration error: SLA_RESPONSE_DAYS must be a whole number of working days");
    expect(errorOf({ BOT_TOKEN: TOKEN, DIGEST_TIME: "8 pagi" })).toBe("Configuration error: DIGEST_TIME must be a time of day HH:MM (WITA), like 08:00");
  });

  it("METRICS_TOKEN turns /metrics on: a random token of 16+ characters, and PORT to serve it on", () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN }).metricsToken).toBeUndefined();
    expect(loadConfig({ BOT_TOKEN: TOKEN, METRICS_TOKEN: "a".repeat(24), PORT: "8080" }).metricsToken).toBe("a".repeat(24));
    expect(errorOf({ BOT_TOKEN: TOKEN, METRICS_TOKEN: "short", PORT: "8080" })).toMatch(/^Configuration error: METRICS_TOKEN must be 16-256 characters/);
    expect(errorOf({ BOT_TOKEN: TOKEN, METRICS_TOKEN: "a".repeat(24) })).toBe("Configuration error: PORT required when METRICS_TOKEN is set (/metrics is served on it)");
  });

  test("the transport: polling (PORT only for /healthz) or webhook with its URL, secret and port", () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN }).transport).toEqual({ mode: "polling", healthPort: undefined });
    expect(loadConfig({ BOT_TOKEN: TOKEN, PORT: "8080" }).transport).toEqual({ mode: "polling", healthPort: 8080 });
    expect(loadConfig({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://bot.example/tg", WEBHOOK_SECRET: "s3cret", PORT: "8443" }).transport).toEqual({
      mode: "webhook",
      url: "https://bot.example/tg",
      secret: "s3cret",
      port: 8443,
    });
    expect(errorOf({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://bot.example/tg", WEBHOOK_SECRET: "s3cret" })).toBe(
      "Configuration error: PORT required when WEBHOOK_URL is set (the port the webhook server listens on)",
    );
    expect(errorOf({ BOT_TOKEN: TOKEN, NODE_ENV: "production", WEBHOOK_URL: "https://bot.example/tg" })).toMatch(/^Configuration error: MONGODB_URI /);
  });

  test("WhatsApp: off without its token; with it, the phone number id, app secret, verify token and PORT are required", () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN }).whatsapp).toBeUndefined();
    const wa = {
      WHATSAPP_ACCESS_TOKEN: "EAAG" + "x".repeat(40),
      WHATSAPP_PHONE_NUMBER_ID: "106540352242922",
      WHATSAPP_APP_SECRET: "0123456789abcdef0123",
      WHATSAPP_VERIFY_TOKEN: "verify-me-1",
      PORT: "8080",
    };
    expect(loadConfig({ BOT_TOKEN: TOKEN, ...wa }).whatsapp).toEqual({
      accessToken: wa.WHATSAPP_ACCESS_TOKEN,
      phoneNumberId: "106540352242922",
      appSecret: wa.WHATSAPP_APP_SECRET,
      verifyToken: "verify-me-1",
      apiRoot: GRAPH_API_ROOT,
      template: { name: "aspirasi_update", language: "id" },
    });
    expect(
      loadConfig({ BOT_TOKEN: TOKEN, ...wa, WHATSAPP_API_ROOT: "http://127.0.0.1:9000/v24.0", WHATSAPP_TEMPLATE: "kabar_ikm", WHATSAPP_TEMPLATE_LANGUAGE: "en_US" }).whatsapp,
    ).toMatchObject({
      apiRoot: "http://127.0.0.1:9000/v24.0",
      template: { name: "kabar_ikm", language: "en_US" },
    });
    for (const name of ["WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"] as const) {
      const { [name]: _left, ...partial } = wa;
      expect(errorOf({ BOT_TOKEN: TOKEN, ...partial })).toBe(`Configuration error: ${name} required when WHATSAPP_ACCESS_TOKEN is set`);
    }
    const { PORT: _port, ...noPort } = wa;
    expect(errorOf({ BOT_TOKEN: TOKEN, ...noPort })).toMatch(/^Configuration error: PORT required when WHATSAPP_ACCESS_TOKEN is set/);
    expect(errorOf({ BOT_TOKEN: TOKEN, WHATSAPP_APP_SECRET: wa.WHATSAPP_APP_SECRET })).toMatch(
      /^Configuration error: WHATSAPP_ACCESS_TOKEN required when WHATSAPP_APP_SECRET is set/,
    );
    expect(errorOf({ BOT_TOKEN: TOKEN, ...wa, WHATSAPP_API_ROOT: "https://graph.facebook.com/v24.0/" })).toMatch(/^Configuration error: WHATSAPP_API_ROOT /);
    expect(errorOf({ BOT_TOKEN: TOKEN, ...wa, WHATSAPP_ACCESS_TOKEN: "short" })).toMatch(/^Configuration error: WHATSAPP_ACCESS_TOKEN /);
  });

  test("MONGODB_URI unset means the embedded MongoDB, outside production", () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN }).mongodbUri).toBeUndefined();
    expect(loadConfig({ BOT_TOKEN: TOKEN, MONGODB_URI: "  " }).mongodbUri).toBeUndefined();
    expect(loadConfig({ BOT_TOKEN: TOKEN, NODE_ENV: "production", MONGODB_URI: "mongodb://aspirasi:secret@127.0.0.1:27017/aspirasi?authSource=admin" }).nodeEnv).toBe("production");
  });

  const cases: [string, Record<string, string>, string, RegExp][] = [
    ["missing token", {}, "BOT_TOKEN", /required.*@BotFather/],
    ["empty token", { BOT_TOKEN: "" }, "BOT_TOKEN", /@BotFather/],
    ["malformed token", { BOT_TOKEN: "12345:short" }, "BOT_TOKEN", /must look like/],
    ["token with a space", { BOT_TOKEN: `${TOKEN} x` }, "BOT_TOKEN", /must look like/],
    ["URI without scheme", { BOT_TOKEN: TOKEN, MONGODB_URI: "localhost:27017" }, "MONGODB_URI", /mongodb:\/\//],
    ["URI of another scheme", { BOT_TOKEN: TOKEN, MONGODB_URI: "postgres://localhost/db" }, "MONGODB_URI", /mongodb:\/\//],
    ["admin ids with a name", { BOT_TOKEN: TOKEN, ADMIN_IDS: "12345,budi" }, "ADMIN_IDS", /ids separated by commas/],
    ["admin ids with semicolons", { BOT_TOKEN: TOKEN, ADMIN_IDS: "12345;67890" }, "ADMIN_IDS", /ids separated by commas/],
    ["negative admin id", { BOT_TOKEN: TOKEN, ADMIN_IDS: "-100123" }, "ADMIN_IDS", /ids separated by commas/],
    ["production without MONGODB_URI", { BOT_TOKEN: TOKEN, NODE_ENV: "production" }, "MONGODB_URI", /required when NODE_ENV=production/],
    ["unknown NODE_ENV", { BOT_TOKEN: TOKEN, NODE_ENV: "staging" }, "NODE_ENV", /must be development, production or test/],
    ["unknown language", { BOT_TOKEN: TOKEN, DEFAULT_LOCALE: "fr" }, "DEFAULT_LOCALE", /id or en/],
    ["unknown log level", { BOT_TOKEN: TOKEN, LOG_LEVEL: "verbose" }, "LOG_LEVEL", /one of/],
    ["API root that is no URL", { BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: "localhost:8081" }, "TELEGRAM_API_ROOT", /http/],
    ["officer group that is no id", { BOT_TOKEN: TOKEN, OFFICER_GROUP_ID: "petugas" }, "OFFICER_GROUP_ID", /Telegram id/],
    ["webhook without secret", { BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://127.0.0.1:8443/tg" }, "WEBHOOK_SECRET", /required when WEBHOOK_URL/],
    ["webhook over http", { BOT_TOKEN: TOKEN, WEBHOOK_URL: "http://127.0.0.1:8443/tg", WEBHOOK_SECRET: "s3cret" }, "WEBHOOK_URL", /https/],
    ["port out of range", { BOT_TOKEN: TOKEN, PORT: "70000" }, "PORT", /port/],
  ];
  test.each(cases.map(([name, env, variable, what]) => ({ name, env, variable, what })))("$name: one line naming $variable", ({ env, variable, what }) => {
    const message = errorOf(env);
    expect(message).not.toContain("\n");
    expect(message.startsWith(`Configuration error: ${variable} `)).toBe(true);
    expect(message).toMatch(what);
    // The token itself is never echoed back.
    if (env.BOT_TOKEN) expect(message).not.toContain(env.BOT_TOKEN);
  });
});

describe("the real process", () => {
  let cwd: string;
  beforeAll(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), "aspirasi-config-"));
  });
  afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

  /** Runs `tsx src/main.ts` with only `env` (plus PATH/HOME), optionally a .env file, in an empty folder. */
  function start(env: Record<string, string>, dotenv?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const dir = fs.mkdtempSync(path.join(cwd, "run-"));
    if (dotenv !== undefined) fs.writeFileSync(path.join(dir, ".env"), dotenv);
    return new Promise((resolve, reject) => {
      const child = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(ROOT, "src", "main.ts")], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`main.ts did not stop within 20 s; stderr: ${stderr}`));
      }, 20_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  const cases: [string, Record<string, string>, string | undefined, string][] = [
    ["missing BOT_TOKEN", {}, undefined, "BOT_TOKEN"],
    ["bad BOT_TOKEN from .env", {}, "BOT_TOKEN=12345:short\n", "BOT_TOKEN"],
    ["bad MONGODB_URI", { BOT_TOKEN: TOKEN, MONGODB_URI: "localhost:27017" }, undefined, "MONGODB_URI"],
    ["bad ADMIN_IDS", { BOT_TOKEN: TOKEN, ADMIN_IDS: "12345,budi" }, undefined, "ADMIN_IDS"],
    ["production without MONGODB_URI", { BOT_TOKEN: TOKEN, NODE_ENV: "production" }, undefined, "MONGODB_URI"],
  ];

  test("each bad setting: exit code 1 and one stderr line naming the variable", async () => {
    // Two at a time: each start is a Node process with a TypeScript loader.
    const results: Awaited<ReturnType<typeof start>>[] = [];
    for (let i = 0; i < cases.length; i += 2) {
      results.push(...(await Promise.all(cases.slice(i, i + 2).map(([, env, dotenv]) => start(env, dotenv)))));
    }
    cases.forEach(([name, , , variable], i) => {
      const { code, stdout, stderr } = results[i];
      const lines = stderr.split("\n").filter((l) => l.trim() !== "");
      expect({ name, code, lines: lines.length, stdout }).toEqual({ name, code: 1, lines: 1, stdout: "" });
      expect(lines[0]).toMatch(new RegExp(`^Configuration error: ${variable} `));
    });
  }, 90_000);
});

describe(".env.example", () => {
  const example = fs.readFileSync(path.join(ROOT, ".env.example"), "utf8");
  const lines = example.split("\n");

  test("lists every variable of src/config.ts (and config-whatsapp.ts), each with a comment above it", () => {
    const source = ["config.ts", "config-whatsapp.ts"].map((f) => fs.readFileSync(path.join(ROOT, "src", f), "utf8")).join("\n");
    const variables = [...source.matchAll(/^ +([A-Z][A-Z0-9_]+): z/gm)].map((m) => m[1]);
    expect(variables).toContain("BOT_TOKEN");
    const listed = lines.map((l) => /^([A-Z][A-Z0-9_]+)=/.exec(l)?.[1]).filter(Boolean);
    expect([...listed].sort()).toEqual([...variables].sort());
    for (const name of variables) {
      const i = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect({ name, comment: lines[i - 1]?.startsWith("#") }).toEqual({ name, comment: true });
    }
  });

  test("its values, with a token filled in, are a valid configuration", () => {
    const env = Object.fromEntries(
      lines
        .map((l) => /^([A-Z][A-Z0-9_]+)=(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => Boolean(m))
        .map((m) => [m[1], m[2]]),
    );
    expect(loadConfig({ ...env, BOT_TOKEN: TOKEN })).toMatchObject({ botToken: TOKEN, mongodbUri: undefined, defaultLocale: "id" });
  });
});

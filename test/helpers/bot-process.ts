/**
 * The real entry point (src/main.ts) as a child process, loaded with tsx's CommonJS hook in the same
 * Node process (so SIGKILL hits the bot itself, not a wrapper). We measured: a start through tsx
 * takes about 2 s to the first log line; compiling the project with tsc first takes about 15 s,
 * more than all the starts of the fault tests together.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { TOKEN } from "./harness";

const ROOT = path.resolve(__dirname, "..", "..");

/** The test server's URI with another database name (keeps the host list and options). */
export function uriWithDatabase(uri: string, db: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)\/?([^?]*)(\?.*)?$/.exec(uri);
  if (!m) throw new Error(`not a MongoDB URI: ${uri}`);
  return `${m[1]}/${db}${m[3] ?? ""}`;
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export class BotProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  private cwd: string;

  constructor(env: Record<string, string>) {
    // An empty folder: no developer's .env is read by dotenv.
    this.cwd = fs.mkdtempSync(path.join(os.tmpdir(), "aspirasi-bot-"));
    this.child = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join(ROOT, "src", "main.ts")], {
      cwd: this.cwd,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? this.cwd,
        TSX_TSCONFIG_PATH: path.join(ROOT, "tsconfig.json"),
        NODE_ENV: "production",
        // Debug: the bot then logs "update handled" for every update (see handled()).
        LOG_LEVEL: "debug",
        BOT_TOKEN: TOKEN,
        FLOOD_MAX_MESSAGES: "0",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffer = "";
    this.child.stdout!.on("data", (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const parsed = JSON.parse(line) as LogLine;
          this.logs.push(parsed);
          if (parsed.msg === "update handled" && typeof parsed.update_id === "number") this.handledIds.add(parsed.update_id);
        } catch {
          this.logs.push({ level: 0, msg: line });
        }
      }
    });
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        fs.rmSync(this.cwd, { recursive: true, force: true });
        resolve({ code, signal, at: Date.now() });
      });
    });
  }

  /** Resolves with the first log line whose message matches (rejects if the process ends first). */
  async waitForLog(msg: string | RegExp, timeoutMs = 30_000): Promise<LogLine> {
    const until = Date.now() + timeoutMs;
    let done = false;
    void this.exited.then(() => (done = true));
    for (;;) {
      const line = this.logs.find((l) => (typeof msg === "string" ? l.msg === msg : msg.test(l.msg)));
      if (line) return line;
      if (done) throw new Error(`bot exited before logging "${String(msg)}"; stderr: ${this.stderr}\nlogs: ${this.logs.map((l) => l.msg).join(" | ")}`);
      if (Date.now() > until) throw new Error(`no "${String(msg)}" within ${timeoutMs} ms; logs: ${this.logs.map((l) => l.msg).join(" | ")}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Ids of the updates it logged "update handled" for. */
  private readonly handledIds = new Set<number>();

  /** Whether the bot finished processing this update (its "update handled" log line). */
  handled(updateId: number): boolean {
    return this.handledIds.has(updateId);
  }

  kill(signal: NodeJS.Signals) {
    this.child.kill(signal);
  }

  /** Makes sure the process is gone (for afterEach). */
  async ensureStopped() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }
}

/** A TCP port free right now on 127.0.0.1 (for the bot's PORT). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Starts the bot against the fake Bot API and the test database; resolves once it polls (or listens). */
export async function startBot(o: { apiRoot: string; db: string; env?: Record<string, string>; ready?: string | RegExp }): Promise<BotProcess> {
  const uri = process.env.MONGODB_TEST_URI;
  if (!uri) throw new Error("MONGODB_TEST_URI is not set (global-setup should have set it)");
  const bot = new BotProcess({ TELEGRAM_API_ROOT: o.apiRoot, MONGODB_URI: uriWithDatabase(uri, o.db), ...o.env });
  try {
    await bot.waitForLog(o.ready ?? "outbox dispatcher started");
  } catch (err) {
    await bot.ensureStopped();
    throw err;
  }
  return bot;
}

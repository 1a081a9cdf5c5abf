/**
 * The HTTP side of the bot (node:http, nothing more is needed): `GET /healthz` in both modes, and in
 * webhook mode the endpoint Telegram posts updates to.
 */
import http from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { Update } from "grammy/types";
import type { Logger } from "../logger";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";
/** Telegram's updates are small; anything bigger is not from Telegram. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookOptions {
  /** The path of WEBHOOK_URL: only there are updates taken. */
  path: string;
  secret: string;
  /** Processes one update (the bot's handleUpdate with its error handler). */
  handle(update: Update): Promise<void>;
  /**
   * Telegram re-sends an update that is not answered in time; after this long the request is
   * answered 200 and the update goes on being processed (it is tracked for the shutdown).
   */
  replyAfterMs: number;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** True when the database answers (GET /healthz: 200, else 503). */
  healthy(): Promise<boolean>;
  webhook?: WebhookOptions;
}

export interface HttpServer {
  listen(): Promise<{ port: number }>;
  /** New updates are refused with 503 (Telegram sends them again later, to the next process). */
  stopTakingUpdates(): void;
  /** Resolves when every update taken in so far is processed. */
  idle(): Promise<void>;
  /** Updates being processed right now. */
  readonly inFlight: number;
  close(): Promise<void>;
}

function secretMatches(given: string | string[] | undefined, secret: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function createHttpServer(o: HttpServerOptions): HttpServer {
  const inFlight = new Set<Promise<void>>();
  let takingUpdates = true;
  const idleWaiters: (() => void)[] = [];

  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => {
      inFlight.delete(p);
      if (inFlight.size === 0) idleWaiters.splice(0).forEach((w) => w());
    });
  };

  async function onWebhook(req: http.IncomingMessage, res: http.ServerResponse, w: WebhookOptions) {
    if (!secretMatches(req.headers[SECRET_HEADER], w.secret)) {
      // Never log the header's value: it may be a near-miss of the real secret.
      o.logger.warn({ remote: req.socket.remoteAddress, hasHeader: SECRET_HEADER in req.headers }, "webhook request refused: wrong or missing secret token");
      req.resume();
      return send(res, 401, { error: "unauthorized" });
    }
    if (!takingUpdates) {
      req.resume();
      return send(res, 503, { error: "shutting down" });
    }
    // Tracked from here on (also while the body is read), so the shutdown waits for it.
    let finished!: () => void;
    let handedOver = false;
    track(new Promise<void>((resolve) => (finished = resolve)));
    try {
      const body = await readBody(req);
      if (body === null) return send(res, 413, { error: "too large" });
      let update: Update;
      try {
        update = JSON.parse(body.toString("utf8")) as Update;
      } catch {
        return send(res, 400, { error: "not JSON" });
      }
      if (typeof update?.update_id !== "number") return send(res, 400, { error: "not an update" });
      const processing = w.handle(update).then(
        () => "done" as const,
        (err) => {
          o.logger.error({ err, update_id: update.update_id }, "webhook update failed");
          return "done" as const;
        },
      );
      handedOver = true;
      void processing.finally(finished);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), w.replyAfterMs);
      });
      const outcome = await Promise.race([processing, late]);
      clearTimeout(timer);
      if (outcome === "late") o.logger.warn({ update_id: update.update_id }, "update still being processed: answered Telegram before it finished");
      // 200 also after a failure: the update id is recorded, a re-send would be ignored anyway.
      send(res, 200, {});
    } finally {
      if (!handedOver) finished();
    }
  }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/healthz") {
      void o.healthy().then((ok) => send(res, ok ? 200 : 503, { status: ok ? "ok" : "unavailable", database: ok ? "up" : "down" }));
      return;
    }
    if (o.webhook && path === o.webhook.path) {
      if (req.method !== "POST") return send(res, 405, { error: "POST only" });
      onWebhook(req, res, o.webhook).catch((err) => {
        o.logger.error({ err }, "webhook request failed");
        if (!res.headersSent) send(res, 500, { error: "internal" });
      });
      return;
    }
    req.resume();
    send(res, 404, { error: "not found" });
  });
  // Telegram keeps connections open; a stuck client must not hold the process at shutdown.
  server.keepAliveTimeout = 5000;
  server.requestTimeout = 30_000;

  return {
    listen() {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(o.port, o.host ?? "0.0.0.0", () => {
          server.off("error", reject);
          const addr = server.address();
          resolve({ port: typeof addr === "object" && addr ? addr.port : o.port });
        });
      });
    },
    stopTakingUpdates() {
      takingUpdates = false;
    },
    idle() {
      return inFlight.size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
    },
    get inFlight() {
      return inFlight.size;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The HTTP side of the bot (node:http, nothing more is needed): `GET /healthz` in both modes, and in
 * webhook mode the endpoint Telegram posts updates to.
 */
import http from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { Update } from "grammy/types";
import type { Logger } from "../logger";
import type { Metrics } from "./metrics";

/** Thrown by a webhook handler for an update that was not processed and should come again (a 503). */
export class RedeliverError extends Error {
  constructor(cause: unknown) {
    super("update not processed; to be delivered again", { cause });
  }
}

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";
/** Telegram's updates are small; anything bigger is not from Telegram. */
export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Limits that keep slow or hostile clients from holding sockets (Telegram sends headers and body
 * at once): the headers must arrive within HEADERS_TIMEOUT_MS, the body within BODY_TIMEOUT_MS of
 * the headers, an idle socket closes after IDLE_TIMEOUT_MS, and at most MAX_CONNECTIONS are open
 * (Telegram itself opens at most 100 per webhook).
 */
export const HTTP_LIMITS = { headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, idleTimeoutMs: 30_000, maxConnections: 200 };
export type HttpLimits = typeof HTTP_LIMITS;

export interface WebhookOptions {
  /** The path of WEBHOOK_URL: only there are updates taken. */
  path: string;
  secret: string;
  /**
   * Processes one update (the bot's handleUpdate with its error handler). `answered()` tells whether
   * Telegram already got its answer; while it has not, the handler may reject with a `RedeliverError`
   * (the database is away): Telegram is then answered 503 and sends the update again later.
   */
  handle(update: Update, answered: () => boolean): Promise<void>;
  /**
   * Telegram re-sends an update that is not answered in time; after this long the request is
   * answered 200 and the update goes on being processed (it is tracked for the shutdown).
   */
  replyAfterMs: number;
}

/**
 * Another sender's webhook on the same server (WhatsApp: whatsapp/endpoint.ts): the body is read
 * here within the same limits and handed over raw (signatures are over the exact bytes).
 */
export interface RawEndpoint {
  path: string;
  /** GET (e.g. Meta's subscription check): the status and a plain-text body. */
  get?(query: URLSearchParams): { status: number; text: string };
  /** POST: resolves with the status to answer (non-2xx makes the sender deliver it again). */
  post(body: Buffer, headers: http.IncomingHttpHeaders): Promise<{ status: number; body?: unknown }>;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** True when the database answers (GET /healthz: 200, else 503). */
  healthy(): Promise<boolean>;
  webhook?: WebhookOptions;
  endpoints?: RawEndpoint[];
  /** GET /metrics behind a Bearer token (server/metrics.ts); absent: 404 as any unknown path. */
  metrics?: { token: string; metrics: Pick<Metrics, "contentType" | "render"> };
  /** Tests shorten these; production uses HTTP_LIMITS. */
  limits?: Partial<HttpLimits>;
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

/** `Authorization: Bearer <token>`, compared as the webhook secret is. */
function bearerMatches(header: string | string[] | undefined, token: string): boolean {
  return typeof header === "string" && header.startsWith("Bearer ") && secretMatches(header.slice(7), token);
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A refusal: answered, then the socket is closed (not drained): a client that trickles a body it
 * was refused for cannot keep the connection.
 */
function refuse(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return void req.socket.destroy();
  res.shouldKeepAlive = false;
  res.setHeader("connection", "close");
  res.once("finish", () => req.socket.destroy());
  send(res, status, body);
}

/** The body, or "too_large" / "too_slow" (nothing more is read then). */
function readBody(req: http.IncomingMessage, timeoutMs: number): Promise<Buffer | "too_large" | "too_slow"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (outcome: "too_large" | "too_slow") => {
      clearTimeout(timer);
      req.pause();
      req.removeAllListeners("data");
      resolve(outcome);
    };
    const timer = setTimeout(() => stop("too_slow"), timeoutMs);
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) stop("too_large");
      else chunks.push(chunk);
    });
    req.on("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export function createHttpServer(o: HttpServerOptions): HttpServer {
  const limits: HttpLimits = { ...HTTP_LIMITS, ...o.limits };
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
      return refuse(req, res, 401, { error: "unauthorized" });
    }
    if (!takingUpdates) return refuse(req, res, 503, { error: "shutting down" });
    if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) return refuse(req, res, 413, { error: "too large" });
    // Tracked from here on (also while the body is read), so the shutdown waits for it.
    let finished!: () => void;
    let handedOver = false;
    track(new Promise<void>((resolve) => (finished = resolve)));
    try {
      const body = await readBody(req, limits.bodyTimeoutMs);
      if (body === "too_large") return refuse(req, res, 413, { error: "too large" });
      if (body === "too_slow") return refuse(req, res, 408, { error: "body too slow" });
      let update: Update;
      try {
        update = JSON.parse(body.toString("utf8")) as Update;
      } catch {
        return send(res, 400, { error: "not JSON" });
      }
      if (typeof update?.update_id !== "number") return send(res, 400, { error: "not an update" });
      let answered = false;
      const processing = w
        .handle(update, () => answered)
        .then(
          () => "done" as const,
          (err) => {
            if (err instanceof RedeliverError && !answered) return "redeliver" as const;
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
      answered = true;
      if (outcome === "redeliver") {
        o.logger.warn({ update_id: update.update_id }, "update not processed (database unavailable): Telegram is asked to send it again");
        return send(res, 503, { error: "try again" });
      }
      if (outcome === "late") o.logger.warn({ update_id: update.update_id }, "update still being processed: answered Telegram before it finished");
      // 200 also after any other failure: the sender was told (bot.catch), and a re-send would be ignored.
      send(res, 200, {});
    } finally {
      if (!handedOver) finished();
    }
  }

  async function onEndpoint(req: http.IncomingMessage, res: http.ServerResponse, e: RawEndpoint, query: URLSearchParams) {
    if (req.method === "GET" && e.get) {
      const { status, text } = e.get(query);
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
      return void res.end(text);
    }
    if (req.method !== "POST") return refuse(req, res, 405, { error: "POST only" });
    if (!takingUpdates) return refuse(req, res, 503, { error: "shutting down" });
    if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) return refuse(req, res, 413, { error: "too large" });
    let finished!: () => void;
    track(new Promise<void>((resolve) => (finished = resolve)));
    try {
      const body = await readBody(req, limits.bodyTimeoutMs);
      if (body === "too_large") return refuse(req, res, 413, { error: "too large" });
      if (body === "too_slow") return refuse(req, res, 408, { error: "body too slow" });
      const answer = await e.post(body, req.headers);
      if (answer.status >= 400) return refuse(req, res, answer.status, answer.body ?? {});
      send(res, answer.status, answer.body ?? {});
    } finally {
      finished();
    }
  }

  // Node checks the header and request timeouts on this interval (30 s by default).
  const checkEvery = Math.max(100, Math.min(1_000, limits.headersTimeoutMs / 2));
  const server = http.createServer({ connectionsCheckingInterval: checkEvery }, (req, res) => {
    const [path, search = ""] = (req.url ?? "/").split("?", 2);
    if (req.method === "GET" && path === "/healthz") {
      void o.healthy().then((ok) => send(res, ok ? 200 : 503, { status: ok ? "ok" : "unavailable", database: ok ? "up" : "down" }));
      return;
    }
    if (o.metrics && path === "/metrics") {
      const m = o.metrics;
      if (req.method !== "GET") return refuse(req, res, 405, { error: "GET only" });
      if (!bearerMatches(req.headers.authorization, m.token)) {
        res.setHeader("www-authenticate", 'Bearer realm="metrics"');
        return refuse(req, res, 401, { error: "unauthorized" });
      }
      void m.metrics.render().then(
        (text) => {
          res.writeHead(200, { "content-type": m.metrics.contentType, "content-length": Buffer.byteLength(text) });
          res.end(text);
        },
        (err: unknown) => {
          o.logger.error({ err }, "metrics could not be rendered");
          if (!res.headersSent) send(res, 500, { error: "internal" });
        },
      );
      return;
    }
    if (o.webhook && path === o.webhook.path) {
      if (req.method !== "POST") return refuse(req, res, 405, { error: "POST only" });
      onWebhook(req, res, o.webhook).catch((err) => {
        o.logger.error({ err }, "webhook request failed");
        if (!res.headersSent) send(res, 500, { error: "internal" });
      });
      return;
    }
    const endpoint = o.endpoints?.find((e) => e.path === path);
    if (endpoint) {
      onEndpoint(req, res, endpoint, new URLSearchParams(search)).catch((err) => {
        o.logger.error({ err, path }, "endpoint request failed");
        if (!res.headersSent) send(res, 500, { error: "internal" });
      });
      return;
    }
    refuse(req, res, 404, { error: "not found" });
  });
  // Telegram keeps connections open; a stuck client must not hold the process at shutdown.
  server.keepAliveTimeout = 5000;
  server.requestTimeout = 30_000;
  server.headersTimeout = limits.headersTimeoutMs;
  server.timeout = limits.idleTimeoutMs;
  server.maxConnections = limits.maxConnections;

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

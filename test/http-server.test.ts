/**
 * The webhook HTTP server against slow and hostile clients: a refused request's socket is closed at
 * once (not drained while the client trickles a body), headers and bodies that arrive too slowly are
 * cut off, an oversized body gets 413, and the connection cap holds — while /healthz and a real
 * update still get through.
 */
import net from "node:net";
import pino from "pino";
import type { Update } from "grammy/types";
import { createHttpServer, MAX_BODY_BYTES, SECRET_HEADER, type HttpServer } from "../src/server/http-server";

const SECRET = "s3cret_Webhook-Token";
const PATH = "/telegram/webhook";
const handled: number[] = [];
let server: HttpServer;
let port = 0;
const sockets: net.Socket[] = [];

beforeEach(async () => {
  handled.length = 0;
  server = createHttpServer({
    port: 0,
    host: "127.0.0.1",
    logger: pino({ level: "silent" }),
    healthy: async () => true,
    webhook: {
      path: PATH,
      secret: SECRET,
      replyAfterMs: 5_000,
      handle: async (u: Update) => void handled.push(u.update_id),
    },
    limits: { headersTimeoutMs: 600, bodyTimeoutMs: 600, idleTimeoutMs: 5_000, maxConnections: 12 },
  });
  port = (await server.listen()).port;
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await server.close();
});

/** A raw connection that records what the server answered and when it closed the socket. */
function connect(): Promise<{ socket: net.Socket; answer: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    sockets.push(socket);
    let data = "";
    const started = Date.now();
    const closed = new Promise<number>((res) => socket.on("close", () => res(Date.now() - started)));
    socket.on("data", (d) => (data += d.toString("utf8")));
    socket.on("error", () => undefined);
    socket.once("connect", () => resolve({ socket, answer: () => data, closed }));
    socket.once("error", reject);
  });
}

function head(secret: string | null, length: number): string {
  return [
    `POST ${PATH} HTTP/1.1`,
    "Host: localhost",
    "Content-Type: application/json",
    `Content-Length: ${length}`,
    ...(secret ? [`${SECRET_HEADER}: ${secret}`] : []),
    "",
    "",
  ].join("\r\n");
}

/** Sends one byte every `everyMs` until the socket closes (bounded). */
function trickle(socket: net.Socket, everyMs: number): void {
  let n = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || n++ > 100) return clearInterval(timer);
    socket.write("{");
  }, everyMs);
  socket.on("close", () => clearInterval(timer));
}

async function get(path: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  await res.text();
  return res.status;
}

async function postUpdate(updateId: number, secret = SECRET): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}${PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", [SECRET_HEADER]: secret },
    body: JSON.stringify({ update_id: updateId }),
  });
  await res.text();
  return res.status;
}

test("a refused request's socket is closed at once, not drained while the client trickles", async () => {
  const clients = await Promise.all(Array.from({ length: 8 }, () => connect()));
  for (const c of clients) {
    c.socket.write(head("wrong", 10_000));
    trickle(c.socket, 100);
  }
  const closedAfter = await Promise.all(clients.map((c) => c.closed));
  for (const c of clients) expect(c.answer()).toMatch(/^HTTP\/1\.1 401/);
  // Well before the body timeout (600 ms) could have been the reason.
  expect(Math.max(...closedAfter)).toBeLessThan(500);
  expect(await get("/healthz")).toBe(200);
  expect(await postUpdate(1)).toBe(200);
  expect(handled).toEqual([1]);
});

test("headers that never finish are cut off after the header timeout", async () => {
  const c = await connect();
  c.socket.write(`POST ${PATH} HTTP/1.1\r\nHost: localhost\r\n`);
  const timer = setInterval(() => !c.socket.destroyed && c.socket.write("X-Slow: 1\r\n"), 100);
  const after = await c.closed;
  clearInterval(timer);
  expect(after).toBeGreaterThanOrEqual(500);
  expect(after).toBeLessThan(3_000);
  expect(handled).toEqual([]);
});

test("an authenticated body that trickles gets 408 and the socket is closed", async () => {
  const c = await connect();
  c.socket.write(head(SECRET, 200));
  trickle(c.socket, 100);
  const after = await c.closed;
  expect(c.answer()).toMatch(/^HTTP\/1\.1 408/);
  expect(after).toBeGreaterThanOrEqual(550);
  expect(after).toBeLessThan(3_000);
  expect(handled).toEqual([]);
});

test("a body over the limit gets 413, by its declared length or as it streams", async () => {
  const declared = await connect();
  declared.socket.write(head(SECRET, MAX_BODY_BYTES + 1));
  await declared.closed;
  expect(declared.answer()).toMatch(/^HTTP\/1\.1 413/);

  const streamed = await connect();
  // Declared small, sent big: chunked encoding has no length to check up front.
  streamed.socket.write([`POST ${PATH} HTTP/1.1`, "Host: localhost", "Transfer-Encoding: chunked", `${SECRET_HEADER}: ${SECRET}`, "", ""].join("\r\n"));
  const chunk = "x".repeat(256 * 1024);
  for (let i = 0; i < 5 && !streamed.socket.destroyed; i++) streamed.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  await streamed.closed;
  expect(streamed.answer()).toMatch(/^HTTP\/1\.1 413/);
  expect(handled).toEqual([]);
  expect(await postUpdate(2)).toBe(200);
  expect(handled).toEqual([2]);
});

test("connections beyond the cap are dropped; the server serves again once they go", async () => {
  const idle = await Promise.all(Array.from({ length: 12 }, () => connect()));
  // Let the server register them before the next one knocks.
  await new Promise((r) => setTimeout(r, 100));
  const extra = await connect();
  const droppedAfter = await extra.closed;
  expect(droppedAfter).toBeLessThan(1_000);
  expect(extra.answer()).toBe("");
  for (const c of idle) c.socket.destroy();
  await Promise.all(idle.map((c) => c.closed));
  await new Promise((r) => setTimeout(r, 100));
  expect(await get("/healthz")).toBe(200);
});

/**
 * `BENCH_ONLY=whatsapp npm run bench` (and a phase of the full run): members on WhatsApp through the
 * real HTTP server (/whatsapp, signed webhooks), the durable inbox, the worker and the channel, with
 * a Graph API client that answers at once in memory (the bot's own cost, not Meta's). BENCH_WA_MEMBERS
 * (20) members linked on WhatsApp before each file Pelatihan on its shortest path (6 messages), all at once, each
 * sending the next message when the reply to the last one was sent. Figures: dialogue steps per
 * second, p50 / p99 from the webhook POST to the reply's send, database commands per step.
 */
import { performance } from "node:perf_hooks";
import { createHmac } from "node:crypto";
import pino from "pino";
import { env } from "./env";
import type { Config } from "../src/config";
import { createHttpServer } from "../src/server/http-server";
import { whatsappEndpoint, WHATSAPP_PATH, SIGNATURE_HEADER } from "../src/whatsapp/endpoint";
import { startInboundWorker } from "../src/whatsapp/worker";
import { createWhatsAppChannel } from "../src/whatsapp/channel";
import type { OutgoingMessage } from "../src/whatsapp/render";
import { registerMember } from "../src/domain/members";
import { Request } from "../src/db/models/request";
import { Member } from "../src/db/models/member";
import { preloadWhatsAppSenders } from "../src/domain/whatsapp-members";

const SECRET = "bench0123456789abcdef";

export interface WhatsAppFigures {
  members: number;
  steps: number;
  perSecond: number;
  latenciesMs: number[];
  commandsPerStep: number;
  /** Per message of the script (the first links the member, the last is Kirim): median and slowest POST-to-reply. */
  stepMedians: number[];
  stepMax: number[];
  /** Those commands by command and collection, per step. */
  byKind: (readonly [string, number])[];
  /** Server time by command and collection in the timed part (all members at once), slowest first: total ms. */
  msByKind: (readonly [string, number])[];
  /** One warm member's dialogue alone: the commands of each step (the last one is Kirim). */
  aloneSteps: number[];
  /** The done marks of those steps, written together afterwards. */
  aloneFlush: number;
  requests: number;
}

async function storeOthers(n: number, sentraId: string): Promise<void> {
  for (let from = 0; from < n; from += 500) {
    const ids = Array.from({ length: Math.min(500, n - from) }, (_, i) => from + i);
    const members = await Member.insertMany(
      ids.map((i) => ({
        telegramId: 5_000_000 + i,
        name: `Lain ${i}`,
        businessName: "UD Lain",
        products: "keripik",
        kecamatan: "Mengwi",
        sentraId,
        registeredAt: new Date(),
        consentAt: new Date(),
      })),
      { lean: true },
    );
    await Request.insertMany(
      members.map((m, i) => ({
        code: `BNC-${String(from + ids[i]).padStart(6, "0")}`,
        type: "kemasan",
        memberId: m._id,
        memberTelegramId: m.telegramId,
        sentraId,
        kecamatan: "Mengwi",
        answers: { need: "desain" },
        status: "selesai",
        timeline: [{ at: new Date(), by: m.telegramId, role: "member", kind: "created", to: "diterima" }],
        sourceKey: `bench-other-${from + ids[i]}`,
      })),
      { lean: true },
    );
  }
}

/** `commands`: the driver's command count so far; `kinds`: the same by command and collection, with their server time so far (ms). */
export async function whatsappPhase(config: Config, sentraId: string, commands: () => number, kinds: () => Map<string, { n: number; ms: number }>): Promise<WhatsAppFigures> {
  const count = env("BENCH_WA_MEMBERS", 20);
  // BENCH_WA_OTHERS: that many other members and requests stored first (the full run's earlier phases leave thousands).
  await storeOthers(env("BENCH_WA_OTHERS", 0), sentraId);
  const logger = pino({ level: "silent" });
  const waiting = new Map<string, () => void>();
  const client = {
    send: async (to: string, _m: OutgoingMessage) => {
      waiting.get(to)?.();
      return `wamid.OUT${Math.random().toString(36).slice(2)}`;
    },
    mediaInfo: async () => {
      throw new Error("the bench sends no media");
    },
    downloadMedia: async () => new Uint8Array(),
  };
  const handle = createWhatsAppChannel({ client, config, logger, clock: () => new Date() });
  const worker = startInboundWorker(handle, { logger, clock: () => new Date(), idleMs: 200, concurrency: env("BENCH_WA_CONCURRENCY", 4) });
  const server = createHttpServer({
    port: 0,
    host: "127.0.0.1",
    logger,
    healthy: async () => true,
    endpoints: [whatsappEndpoint({ appSecret: SECRET, verifyToken: "bench-verify" }, { logger, clock: () => new Date(), inbox: worker })],
  });
  const url = `http://127.0.0.1:${(await server.listen()).port}${WHATSAPP_PATH}`;

  const numbers: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = `62813${String(70000000 + i)}`;
    numbers.push(n);
    await registerMember(
      990000 + i,
      { name: `Anggota WA ${i}`, phone: `+${n}`, phoneVerified: true, businessName: "UD Bench", products: "keripik", kecamatan: "Mengwi", sentraId, sentraWish: null },
      new Date(),
    );
    // Linked on WhatsApp before (the steady state; the first message's linking is the tests'), last heard from a day ago.
    await Member.updateOne(
      { telegramId: 990000 + i },
      { $set: { channel: "whatsapp", whatsapp: { waId: n, linkedAt: new Date(), lastInboundAt: new Date(Date.now() - 86_400_000) } } },
    );
  }

  // As after a restart: the channel's start-up reads the linked members (src/whatsapp/start.ts).
  await preloadWhatsAppSenders();

  const script: Record<string, unknown>[] = [
    { type: "text", text: { body: "halo" } },
    { type: "interactive", interactive: { type: "list_reply", list_reply: { id: "menu:pelatihan", title: "Pelatihan" } } },
    { type: "text", text: { body: "1" } },
    { type: "text", text: { body: "1" } },
    { type: "text", text: { body: "lewati" } },
    { type: "interactive", interactive: { type: "button_reply", button_reply: { id: "send", title: "Kirim" } } },
  ];
  let seq = 0;
  /** One message from `from`, resolved when its reply was sent. */
  async function step(from: string, content: Record<string, unknown>): Promise<number> {
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "W",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                contacts: [{ profile: { name: "A" }, wa_id: from }],
                messages: [{ from, id: `wamid.B${++seq}`, timestamp: String(Math.floor(Date.now() / 1000)), ...content }],
              },
            },
          ],
        },
      ],
    });
    const replied = new Promise<void>((resolve) => waiting.set(from, resolve));
    const t0 = performance.now();
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", [SIGNATURE_HEADER]: `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}` },
      body,
    });
    await res.arrayBuffer();
    await replied;
    return performance.now() - t0;
  }
  const latencies: number[] = [];
  const byStep: number[][] = script.map(() => []);
  const before = commands();
  const kindsBefore = kinds();
  const started = performance.now();
  await Promise.all(
    numbers.map(async (from) => {
      for (const [i, content] of script.entries()) {
        const took = await step(from, content);
        latencies.push(took);
        byStep[i].push(took);
      }
    }),
  );
  // The last replies of each member's last step.
  await worker.drained();
  const seconds = (performance.now() - started) / 1000;
  const steps = numbers.length * script.length;
  const commandsUsed = commands() - before;
  const kindsAfter = kinds();
  const msByKind = [...kindsAfter]
    .map(([k, v]) => [k, v.ms - (kindsBefore.get(k)?.ms ?? 0)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6);
  const byKind = [...kindsAfter]
    .map(([k, v]) => [k, (v.n - (kindsBefore.get(k)?.n ?? 0)) / steps] as const)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  const requests = await Request.countDocuments({ memberTelegramId: { $gte: 990000, $lt: 990000 + count } });
  // One member alone, warm (a first dialogue done): the commands of each step, as the Telegram figure counts them.
  const alone = numbers[0];
  for (const content of script) await step(alone, content);
  await worker.drained();
  const perStep: number[] = [];
  for (const content of script) {
    const at = commands();
    await step(alone, content);
    perStep.push(commands() - at);
  }
  const atFlush = commands();
  await worker.flush();
  const flushCommands = commands() - atFlush;
  await worker.stop();
  await server.close();
  return {
    members: count,
    steps,
    perSecond: steps / seconds,
    latenciesMs: latencies,
    commandsPerStep: commandsUsed / steps,
    byKind,
    msByKind,
    stepMedians: byStep.map((xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]),
    stepMax: byStep.map((xs) => Math.max(...xs)),
    aloneSteps: perStep,
    aloneFlush: flushCommands,
    requests,
  };
}

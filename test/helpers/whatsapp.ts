/**
 * The WhatsApp channel as main.ts runs it, for tests: the strict fake Graph API, the real HTTP
 * server with /whatsapp, the durable inbox's worker and the channel, and the WhatsApp side of the
 * outbox (its dispatcher), on the test database and the test's clock.
 */
import { FakeGraphApi } from "./fake-graph-api";
import { silentLogger } from "./harness";
import { createHttpServer, type HttpServer } from "../../src/server/http-server";
import { whatsappEndpoint, WHATSAPP_PATH } from "../../src/whatsapp/endpoint";
import { startInboundWorker, type InboundWorker } from "../../src/whatsapp/worker";
import { createWhatsAppChannel } from "../../src/whatsapp/channel";
import { WhatsAppClient } from "../../src/whatsapp/client";
import { createWhatsAppDispatcher, type TelegramFileReader, type WhatsAppDispatcher } from "../../src/whatsapp/dispatcher";
import { SLA_DEFAULTS } from "../../src/config";

export const WA_TOKEN = "EAAG" + "k".repeat(40);
export const WA_PHONE_ID = "106540352242922";
export const WA_SECRET = "0123456789abcdef0123";
export const WA_TEMPLATE = { name: "aspirasi_update", language: "id" };

/** The environment that turns the WhatsApp channel on in a bot process (test/helpers/bot-process.ts), against a fake Graph API. */
export function whatsappProcessEnv(o: { token: string; phoneNumberId: string; appSecret: string; apiRoot: string; port: number }): Record<string, string> {
  return {
    PORT: String(o.port),
    WHATSAPP_ACCESS_TOKEN: o.token,
    WHATSAPP_PHONE_NUMBER_ID: o.phoneNumberId,
    WHATSAPP_APP_SECRET: o.appSecret,
    WHATSAPP_VERIFY_TOKEN: "verify-me-1",
    WHATSAPP_API_ROOT: o.apiRoot,
  };
}

export class WhatsAppWorld {
  readonly graph = new FakeGraphApi(WA_TOKEN, WA_PHONE_ID);
  server!: HttpServer;
  url = "";
  worker!: InboundWorker;
  dispatcher!: WhatsAppDispatcher;

  constructor(private readonly opts: { clock?: () => Date; telegramFile?: TelegramFileReader } = {}) {}

  get clock(): () => Date {
    return this.opts.clock ?? (() => new Date());
  }

  async start(): Promise<this> {
    this.graph.clock = () => this.clock().getTime();
    this.graph.approveTemplate(WA_TEMPLATE.name, WA_TEMPLATE.language, 2);
    const root = await this.graph.start();
    const client = new WhatsAppClient({ accessToken: WA_TOKEN, phoneNumberId: WA_PHONE_ID, apiRoot: root });
    const config = { sla: { ...SLA_DEFAULTS }, defaultLocale: "id" as const };
    this.dispatcher = createWhatsAppDispatcher({
      client,
      settings: { template: WA_TEMPLATE },
      config,
      logger: silentLogger,
      clock: this.clock,
      telegramFile: this.opts.telegramFile,
    });
    const handle = createWhatsAppChannel({ client, config, logger: silentLogger, clock: this.clock });
    this.worker = startInboundWorker(handle, { logger: silentLogger, clock: this.clock, idleMs: 50, retryAfterMs: 50 });
    this.server = createHttpServer({
      port: 0,
      host: "127.0.0.1",
      logger: silentLogger,
      healthy: async () => true,
      endpoints: [
        whatsappEndpoint(
          { appSecret: WA_SECRET, verifyToken: "verify-me-1" },
          { logger: silentLogger, clock: this.clock, inbox: this.worker, onStored: () => this.dispatcher.nudge() },
        ),
      ],
    });
    this.url = `http://127.0.0.1:${(await this.server.listen()).port}${WHATSAPP_PATH}`;
    return this;
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    await this.server.close();
    await this.graph.stop();
  }

  reset(): void {
    this.graph.sent.length = 0;
    this.graph.refused.length = 0;
  }

  /** Meta reports a status of a message the bot sent (signed webhook); the dispatcher has run. */
  async status(wamid: string, status: "sent" | "delivered" | "read" | "failed", errors?: { code: number; title: string; details: string }[]): Promise<void> {
    const body = {
      id: wamid,
      status,
      timestamp: String(Math.floor(this.clock().getTime() / 1000)),
      recipient_id: "x",
      ...(errors ? { errors: errors.map((e) => ({ code: e.code, title: e.title, message: e.title, error_data: { details: e.details } })) } : {}),
    };
    const code = await FakeGraphApi.post(this.url, FakeGraphApi.webhook([], [body]), WA_SECRET);
    if (code !== 200) throw new Error(`webhook answered ${code}`);
    await this.dispatcher.drain();
  }

  /** The member writes (opening the 24-hour window, as Meta does); the bot has answered and sent what the outbox holds for WhatsApp. */
  async say(message: Record<string, unknown>, times = 1): Promise<void> {
    this.graph.inbound(String(message.from));
    for (let i = 0; i < times; i++) {
      const status = await FakeGraphApi.post(this.url, FakeGraphApi.webhook([message]), WA_SECRET);
      if (status !== 200) throw new Error(`webhook answered ${status}`);
    }
    await this.worker.drained();
    await this.dispatcher.drain();
  }
}

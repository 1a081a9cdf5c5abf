/**
 * Shared pieces of the request-dialogue tests: a registered member, a harness that remembers the
 * raw updates it fed (to deliver one again), what the member saw, and a driver that walks any
 * request definition on its shortest path while counting taps and typed answers.
 */
import type { Update } from "grammy/types";
import { Harness, type ApiCall, type TestUser } from "./harness";
import { registerMember, type MemberView } from "../../src/domain/members";
import { seedSentras, listSentras } from "../../src/domain/sentras";
import { REQUEST_DEFINITIONS, productChoices, type StepDefinition } from "../../src/domain/request-definitions";
import type { RequestType } from "../../src/vocabulary/request-types";
import { tFor, typeWords } from "../../src/i18n";
import type { Locale } from "../../src/config";
import { stripHtml } from "./localeText";
import { Request } from "../../src/db/models/request";
import { formatWitaDate } from "../../src/lib/time";

export const PRODUCTS = "keripik bayam, kue potong dan jamu kunyit";

/** A registered member of Sentra IKM Amerta Jaya (Mengwi), written straight to the database (the phone shared with the contact button unless `typedPhone`). */
export async function registeredMember(telegramId: number, o: { locale?: Locale; products?: string; sentra?: boolean; typedPhone?: boolean } = {}): Promise<MemberView> {
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  const [sentra] = await listSentras("Mengwi");
  return registerMember(
    telegramId,
    {
      name: `Anggota ${telegramId}`,
      phone: "+6281234567890",
      phoneVerified: !o.typedPhone,
      businessName: "UD Sari Rasa",
      products: o.products ?? PRODUCTS,
      kecamatan: "Mengwi",
      sentraId: o.sentra === false ? null : sentra.id,
      sentraWish: o.sentra === false ? "later" : null,
    },
    new Date(),
    o.locale ?? "id",
  );
}

let updateId = 5_000_000;

/** A harness that keeps every update it fed, so a test can deliver one of them again. */
export class RecordingHarness extends Harness {
  updates: Update[] = [];

  override async handle(update: Record<string, unknown>): Promise<ApiCall[]> {
    const full = { update_id: updateId++, ...update } as unknown as Update;
    this.updates.push(full);
    return super.handle(full as unknown as Record<string, unknown>);
  }

  /** Feeds an update again, exactly as it was (same update_id). */
  redeliver(update: Update): Promise<ApiCall[]> {
    return super.handle(update as unknown as Record<string, unknown>);
  }
}

/** What the member saw in one or more updates: messages, toasts, edits. */
export function seen(calls: ApiCall[]): string[] {
  return calls
    .filter((c) => !c.failed)
    .flatMap((c) => {
      if (c.method === "sendMessage") return [String(c.payload.text)];
      if (c.method === "answerCallbackQuery") return c.payload.text ? [`toast: ${String(c.payload.text)}`] : [];
      if (c.method === "editMessageText") return [`edit: ${String(c.payload.text)}`];
      return [];
    });
}

/** Telegram shows HTML; tests compare against the visible text. */
export const stripTags = stripHtml;

export interface PathCount {
  taps: number;
  typed: number;
  photoTaps: number;
  photos: number;
}

/**
 * Walks a request type on its shortest path through the real bot, from the main-menu button to
 * "Kirim", counting every tap and typed answer. Each step's question must be the last thing the
 * member saw before answering it. Returns the counts and the code shown at the end.
 */
export async function walkShortestPath(u: TestUser, type: RequestType, locale: Locale = "id"): Promise<PathCount & { code: string }> {
  const t = tFor(locale);
  const def = REQUEST_DEFINITIONS[type];
  const count: PathCount = { taps: 0, typed: 0, photoTaps: 0, photos: 0 };
  const tap = async (label: string, photoStep = false) => {
    if (photoStep) count.photoTaps++;
    else count.taps++;
    return u.press(label);
  };
  count.taps++;
  await u.send(t(`request.menu.${type}`));
  for (const s of def.steps) {
    expect(stripTags(u.lastText())).toBe(stripTags(t(s.prompt)));
    await answerShortest(u, s, t, tap, count);
  }
  expect(stripTags(u.lastText())).toContain(summaryTitle(type, t));
  await tap(t("request.send"));
  return { ...count, code: codeIn(u.lastText()) };
}

async function answerShortest(
  u: TestUser,
  s: StepDefinition,
  t: ReturnType<typeof tFor>,
  tap: (label: string, photoStep?: boolean) => Promise<unknown>,
  count: PathCount,
): Promise<void> {
  switch (s.kind) {
    case "choice": {
      const first = s.optionsFrom === "products" ? productChoices(PRODUCTS)[0] : t(s.options![0].label);
      await tap(first);
      return;
    }
    case "multi":
      await tap(t(s.options![0].label));
      await tap(t("dialog.done"));
      return;
    case "yesno":
      await tap(t("dialog.no"));
      return;
    case "number":
      count.typed++;
      await u.send(String(s.min ?? 1));
      return;
    case "text":
    case "text-or-voice":
      if (s.optional) await tap(t("dialog.skip"));
      else {
        count.typed++;
        await u.send("Minyak goreng langka di pasar.");
      }
      return;
    case "photos":
      if (s.optional) await tap(t("dialog.skip"), true);
      else {
        count.photos++;
        await u.photo();
        await tap(t("dialog.done"), true);
      }
      return;
  }
}

type T = ReturnType<typeof tFor>;
type Answer = (u: TestUser, t: T) => Promise<unknown>;

/** A good answer to every step of every type (what a careful member would do). */
export const GOOD: Record<RequestType, Record<string, Answer>> = {
  produksi: {
    category: (u, t) => u.press(t("request.opt.bahan_baku")),
    product: (u) => u.press("kue potong"),
    photos: async (u, t) => {
      await u.photo("prd-photo-1");
      await u.press(t("dialog.done"));
    },
    description: (u) => u.send("Minyak goreng langka, harganya naik dua kali lipat."),
    urgency: (u, t) => u.press(t("request.opt.berhenti_baru")),
  },
  kemasan: {
    product: (u) => u.press("keripik bayam"),
    packaging: async (u, t) => {
      await u.photo("kms-photo-1");
      await u.press(t("dialog.done"));
    },
    wants: async (u, t) => {
      await u.press(t("request.opt.desain_label"));
      await u.press(t("request.opt.isi_label"));
      await u.press(t("dialog.done"));
    },
    quantity: (u, t) => u.press(t("request.opt.qty_100_500")),
  },
  pemasaran: {
    product: (u) => u.press("jamu kunyit"),
    channels: async (u, t) => {
      await u.press(t("request.opt.warung"));
      await u.press(t("request.opt.media_sosial"));
      await u.press(t("dialog.done"));
    },
    wants: async (u, t) => {
      await u.press(t("request.opt.ikut_marketplace"));
      await u.press(t("request.opt.promosi"));
      await u.press(t("dialog.done"));
    },
    sales: (u, t) => u.press(t("request.opt.omzet_1_5")),
  },
  modal: {
    purpose: (u, t) => u.press(t("request.opt.peralatan")),
    amount: (u) => u.send("15 juta"),
    scope: (u, t) => u.press(t("request.opt.sentra")),
    plan: (u) => u.voice("mdl-voice-1", 12),
  },
  pelatihan: {
    topic: async (u, t) => {
      await u.press(t("request.opt.lainnya"));
      expect(u.lastText()).toBe(t("request.ask_detail"));
      await u.send("Membuat kue tradisional yang tahan lama");
    },
    scope: (u, t) => u.press(t("request.opt.sendiri")),
    goal: (u) => u.send("Agar produk bisa masuk toko oleh-oleh."),
  },
};

/** What the good answers save. */
export const EXPECTED: Record<RequestType, { answers: Record<string, unknown>; attachments: Record<string, unknown>[] }> = {
  produksi: {
    answers: { category: "bahan_baku", product: "kue potong", description: "Minyak goreng langka, harganya naik dua kali lipat.", urgency: "berhenti_baru" },
    attachments: [{ kind: "photo", field: "photos", fileId: "prd-photo-1", fileUniqueId: "prd-photo-1-u" }],
  },
  kemasan: {
    answers: { product: "keripik bayam", wants: ["desain_label", "isi_label"], quantity: "qty_100_500" },
    attachments: [{ kind: "photo", field: "packaging", fileId: "kms-photo-1", fileUniqueId: "kms-photo-1-u" }],
  },
  pemasaran: {
    answers: { product: "jamu kunyit", channels: ["warung", "media_sosial"], wants: ["ikut_marketplace", "promosi"], sales: "omzet_1_5" },
    attachments: [],
  },
  modal: {
    answers: { purpose: "peralatan", amount: 15_000_000, scope: "sentra" },
    attachments: [{ kind: "voice", field: "plan", fileId: "mdl-voice-1", fileUniqueId: "mdl-voice-1-u", duration: 12 }],
  },
  pelatihan: {
    answers: { topic: "lainnya", topic_detail: "Membuat kue tradisional yang tahan lama", scope: "sendiri", goal: "Agar produk bisa masuk toko oleh-oleh." },
    attachments: [],
  },
};

/**
 * Answers every step of a started request with the good answers, checking that each question is
 * the last thing the member saw. `beforeStep` runs first at each step (bad input, a restart …) and
 * must leave the same question as the last message.
 */
export async function fillSteps(u: TestUser, type: RequestType, o: { locale?: Locale; beforeStep?: (s: StepDefinition, t: T) => Promise<void> } = {}): Promise<void> {
  const t = tFor(o.locale ?? "id");
  for (const s of REQUEST_DEFINITIONS[type].steps) {
    expect(stripTags(u.lastText())).toBe(stripTags(t(s.prompt)));
    if (o.beforeStep) {
      await o.beforeStep(s, t);
      expect(stripTags(u.lastText())).toBe(stripTags(t(s.prompt)));
    }
    await GOOD[type][s.key](u, t);
  }
  expect(stripTags(u.lastText())).toContain(summaryTitle(type, t));
}

export function summaryTitle(type: RequestType, t: T): string {
  return stripTags(t("request.summary", { type: t(`labels.type.${type}`), lines: "" })).split("\n")[0];
}

/** The tracking code in the bot's last message. */
export function codeIn(text: string): string {
  const code = /([A-Z]{3}-\d{4}-\d{3,})/.exec(text)?.[1];
  if (!code) throw new Error(`no tracking code in: ${text}`);
  return code;
}

/** The confirmation at Kirim (without an office contact): the receipt and by when the office answers. */
export async function receiptText(type: RequestType, code: string, locale: Locale = "id"): Promise<string> {
  const t = tFor(locale);
  const dueAt = (await Request.findOne({ code }).lean())?.sla?.dueAt;
  return t("request.sent", { ...typeWords(t, type), code }) + (dueAt ? t("sla.member_due", { date: formatWitaDate(dueAt, locale) }) : "");
}

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
import type { RequestType } from "../../src/domain/request-types";
import { tFor } from "../../src/i18n";
import type { Locale } from "../../src/config";

export const PRODUCTS = "keripik bayam, kue potong dan jamu kunyit";

/** A registered member of Sentra IKM Amerta Jaya (Mengwi), written straight to the database. */
export async function registeredMember(telegramId: number, o: { locale?: Locale; products?: string; sentra?: boolean } = {}): Promise<MemberView> {
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  const [sentra] = await listSentras("Mengwi");
  return registerMember(
    telegramId,
    {
      name: `Anggota ${telegramId}`,
      phone: "+6281234567890",
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
export function stripTags(html: string): string {
  return html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

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
  expect(u.lastText()).toContain(stripTags(t("request.summary", { type: t(`labels.type.${type}`), lines: "" })).split("\n")[0]);
  await tap(t("request.send"));
  const code = /([A-Z]{3}-\d{4}-\d{3,})/.exec(u.lastText())?.[1];
  if (!code) throw new Error(`no code in: ${u.lastText()}`);
  return { ...count, code };
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

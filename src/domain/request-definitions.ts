/**
 * What each request type asks, as data: one generic dialogue (src/bot/conversations/request.ts) runs
 * any of these. A new type is a new entry here (plus its prefix in request-types.ts and its texts in
 * locales/<lang>/request.json), not new dialogue code. Values are locale keys, never member-facing text.
 * No grammY here: another channel can walk the same steps.
 */
import type { RequestType } from "../vocabulary/request-types";
import type { AnswerValue, Attachment } from "./requests";
import { PHOTOS_MAX, PRODUCT_MAX, TEXT_MAX } from "../lib/limits";
export { PHOTOS_MAX, PRODUCT_MAX, TEXT_MAX };

export type StepKind = "choice" | "multi" | "text" | "yesno" | "number" | "photos" | "text-or-voice";

export interface StepOption {
  /** Stored in the answers (plain word: recaps count by it). */
  value: string;
  /** Locale key of the button label. */
  label: string;
  /** Picking this option asks a short typed detail next (stored as `<field>_detail`). */
  detail?: { prompt: string; max: number };
}

export interface StepDefinition {
  /** Key in the saved answers (and the `field` of attachments). */
  key: string;
  kind: StepKind;
  /** Locale key of the question. */
  prompt: string;
  /** Locale key of the field name in the summary. */
  label: string;
  /** Fixed options of choice / multi steps. */
  options?: StepOption[];
  /** Choice options taken from the member's registered products; "other" asks for it typed. */
  optionsFrom?: "products";
  /** Buttons per row for choice / multi steps. */
  columns?: number;
  /** An optional step has a skip button; skipped answers are absent. */
  optional?: boolean;
  /** Text: maximum characters. Number: maximum value. Photos: maximum count. */
  max?: number;
  /** Number: minimum value. */
  min?: number;
  /** Number: how it is typed and shown. */
  unit?: "rupiah" | "count";
  /** Text: keep line breaks (otherwise the answer is one line, like a name). */
  multiline?: boolean;
}

export interface RequestDefinition {
  type: RequestType;
  /** The private-chat command that starts it (without "/"). */
  command: string;
  steps: StepDefinition[];
  /** Questions no longer asked whose answers older requests still hold: shown after the steps when present. */
  retired?: StepDefinition[];
}

const DETAIL_MAX = 200;

const opt = (value: string, detail = false): StepOption => ({
  value,
  label: `request.opt.${value}`,
  ...(detail ? { detail: { prompt: "request.ask_detail", max: DETAIL_MAX } } : {}),
});

/** Step keys are also locale keys: request.<type>.<key> (question) and request.<type>.<key>_label. */
function step(type: RequestType, key: string, kind: StepKind, rest: Partial<StepDefinition> = {}): StepDefinition {
  return { key, kind, prompt: `request.${type}.${key}`, label: `request.${type}.${key}_label`, ...rest };
}

const product = (type: RequestType) => step(type, "product", "choice", { optionsFrom: "products", max: PRODUCT_MAX });
const scope = (type: RequestType) => step(type, "scope", "choice", { options: [opt("sendiri"), opt("sentra")] });

export const REQUEST_DEFINITIONS: Record<RequestType, RequestDefinition> = {
  produksi: {
    type: "produksi",
    command: "lapor",
    steps: [
      step("produksi", "category", "choice", {
        options: [opt("bahan_baku"), opt("peralatan"), opt("tenaga_kerja"), opt("mutu"), opt("perizinan"), opt("lainnya", true)],
      }),
      product("produksi"),
      // Photos before the description: after the photos the member simply types or speaks what happens.
      step("produksi", "photos", "photos", { optional: true, max: PHOTOS_MAX }),
      step("produksi", "description", "text-or-voice", { max: TEXT_MAX }),
      // One question for how bad and since when (it was two: "since when?" and "stopped?").
      step("produksi", "urgency", "choice", {
        options: [opt("berhenti_baru"), opt("berhenti_lama"), opt("terganggu_baru"), opt("terganggu_lama")],
        columns: 2,
      }),
    ],
    // Asked before the urgency question replaced them: still shown on the requests that have them.
    retired: [step("produksi", "since", "choice", { options: [opt("hari_ini"), opt("minggu_ini"), opt("bulan_ini"), opt("lebih_sebulan")] }), step("produksi", "stopped", "yesno")],
  },
  kemasan: {
    type: "kemasan",
    command: "kemasan",
    steps: [
      product("kemasan"),
      step("kemasan", "packaging", "photos", { optional: true, max: PHOTOS_MAX }),
      step("kemasan", "wants", "multi", { options: [opt("desain_label"), opt("bahan_kemasan"), opt("isi_label")] }),
      step("kemasan", "quantity", "choice", {
        options: [opt("qty_lt100"), opt("qty_100_500"), opt("qty_500_1000"), opt("qty_gt1000"), opt("belum_tahu")],
        columns: 2,
      }),
    ],
  },
  pemasaran: {
    type: "pemasaran",
    command: "pemasaran",
    steps: [
      product("pemasaran"),
      step("pemasaran", "channels", "multi", {
        options: [opt("warung"), opt("toko_oleh_oleh"), opt("marketplace"), opt("media_sosial"), opt("pameran"), opt("belum_dijual")],
        columns: 2,
      }),
      step("pemasaran", "wants", "multi", {
        options: [opt("ikut_marketplace"), opt("promosi"), opt("ikut_pameran"), opt("kerja_sama_toko")],
      }),
      step("pemasaran", "sales", "choice", {
        options: [opt("omzet_lt1"), opt("omzet_1_5"), opt("omzet_5_20"), opt("omzet_gt20"), opt("belum_tahu")],
        columns: 2,
      }),
    ],
  },
  modal: {
    type: "modal",
    command: "modal",
    steps: [
      step("modal", "purpose", "choice", {
        options: [opt("bahan_baku"), opt("peralatan"), opt("kemasan"), opt("tempat_usaha"), opt("lainnya", true)],
        columns: 2,
      }),
      step("modal", "amount", "number", { unit: "rupiah", min: 100_000, max: 10_000_000_000 }),
      scope("modal"),
      step("modal", "plan", "text-or-voice", { optional: true, max: TEXT_MAX }),
    ],
  },
  pelatihan: {
    type: "pelatihan",
    command: "pelatihan",
    steps: [
      step("pelatihan", "topic", "choice", {
        options: [opt("topik_kemasan"), opt("topik_pemasaran_digital"), opt("topik_keamanan_pangan"), opt("perizinan"), opt("topik_keuangan"), opt("lainnya", true)],
      }),
      scope("pelatihan"),
      step("pelatihan", "goal", "text-or-voice", { optional: true, max: TEXT_MAX }),
    ],
  },
};

export function requestDefinition(type: RequestType): RequestDefinition {
  return REQUEST_DEFINITIONS[type];
}

/** The detail answer of an option that asks for one ("lainnya" -> what exactly). */
export const detailKey = (key: string) => `${key}_detail`;

/**
 * The member's registered products as separate buttons ("keripik bayam, kue potong dan jamu" ->
 * three). At most 8, each short enough for a button; empty when nothing usable was registered.
 */
export function productChoices(products: string | undefined): string[] {
  if (!products) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of products.split(/[,;\n/]+|\s+(?:dan|and|&)\s+/i)) {
    const p = raw.trim().replace(/\s+/g, " ");
    if (p.length === 0 || p.length > 40 || seen.has(p.toLowerCase())) continue;
    seen.add(p.toLowerCase());
    out.push(p);
    if (out.length === 8) break;
  }
  return out;
}

/**
 * A typed number: "5 juta", "2,5jt", "Rp 5.000.000", "750rb", "12". Dots and commas between groups
 * of three digits are thousands separators; otherwise a comma or dot is a decimal mark.
 */
export function parseNumber(input: string, unit: "rupiah" | "count"): number | undefined {
  const s = input
    .trim()
    .toLowerCase()
    .replace(/^rp\.?\s*/, "")
    .replace(/\s+/g, " ");
  const m = /^(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?)\s*(miliar|milyar|juta|jt|ribu|rb|k)?(?:\s*(?:rupiah|orang|buah|pcs|unit))?$/.exec(s);
  if (!m) return undefined;
  const grouped = /^\d{1,3}(?:[.,]\d{3})+$/.test(m[1]);
  const base = grouped ? Number(m[1].replace(/[.,]/g, "")) : Number(m[1].replace(",", "."));
  const factor = { miliar: 1e9, milyar: 1e9, juta: 1e6, jt: 1e6, ribu: 1e3, rb: 1e3, k: 1e3 }[m[2] ?? ""] ?? 1;
  const value = Math.round(base * factor);
  if (!Number.isFinite(value)) return undefined;
  if (unit === "count" && (m[2] || !Number.isInteger(base))) return undefined;
  return value;
}

/** "Rp5.000.000" / "12", the same in every language (the office works in rupiah). */
export function formatNumber(value: number, unit: "rupiah" | "count" = "count"): string {
  const digits = Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  return unit === "rupiah" ? `Rp${digits}` : digits;
}

/**
 * Photo captions shown in a summary or card are shortened to this many characters (the request
 * keeps them whole): five long captions would not fit Telegram's 4096 characters per message.
 */
export const CAPTION_SHOWN_MAX = 200;

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Translates a locale key; the caller's i18n (any channel) provides it. */
export type Translate = (key: string, vars?: Record<string, unknown>) => string;

/**
 * The answers of a request as (field name, value) lines in the definition's order, as plain text
 * (the caller escapes it for its channel). Used by the summary and by anything that shows a request.
 */
export function describeAnswers(
  def: RequestDefinition,
  answers: Record<string, AnswerValue>,
  attachments: Pick<Attachment, "kind" | "field" | "duration" | "caption">[],
  t: Translate,
): { key: string; label: string; value: string }[] {
  const retired = (def.retired ?? []).filter((s) => answers[s.key] !== undefined);
  return [...def.steps, ...retired].map((s) => ({ key: s.key, label: t(s.label), value: describeAnswer(s, answers, attachments, t) }));
}

function describeAnswer(s: StepDefinition, answers: Record<string, AnswerValue>, attachments: Pick<Attachment, "kind" | "field" | "duration" | "caption">[], t: Translate): string {
  const v = answers[s.key];
  const optionLabel = (value: string) => {
    const o = s.options?.find((x) => x.value === value);
    if (!o) return value;
    const detail = o.detail ? answers[detailKey(s.key)] : undefined;
    return detail ? `${t(o.label)}: ${String(detail)}` : t(o.label);
  };
  switch (s.kind) {
    case "photos": {
      const photos = attachments.filter((a) => a.field === s.key && a.kind === "photo");
      if (photos.length === 0) return t("request.none");
      const count = t("request.photo_count", { count: photos.length });
      const captions = photos.flatMap((a) => (a.caption ? [shorten(a.caption, CAPTION_SHOWN_MAX)] : []));
      return captions.length > 0 ? t("request.photo_captions", { photos: count, captions: captions.join("; ") }) : count;
    }
    case "text-or-voice": {
      const voice = attachments.find((a) => a.field === s.key && a.kind === "voice");
      if (voice) return t("request.voice_note", { seconds: voice.duration ?? 0 });
      return typeof v === "string" ? v : t("request.none");
    }
    case "yesno":
      return v === undefined ? t("request.none") : t(v ? "request.yes" : "request.no");
    case "number":
      return typeof v === "number" ? formatNumber(v, s.unit) : t("request.none");
    case "multi":
      return Array.isArray(v) && v.length > 0 ? v.map(optionLabel).join(", ") : t("request.none");
    case "choice":
      return typeof v === "string" ? optionLabel(v) : t("request.none");
    case "text":
      return typeof v === "string" ? v : t("request.none");
  }
}

/**
 * The fewest taps and typed answers a member needs for a type, from the main menu to "Kirim":
 * the menu button, one tap per choice / yes-no, an option and "Selesai" per multi-choice, one typed
 * answer per text / number / required description, a "Lewati" tap per optional step, "Kirim".
 * Photo steps are counted apart (`photoTaps`): skipping an optional one is a tap, a required one is
 * a photo and a tap. Product choices assume the member registered products (else one typed answer).
 */
export function shortestPath(def: RequestDefinition): { taps: number; typed: number; photoTaps: number; photos: number } {
  let taps = 2; // menu button + Kirim
  let typed = 0;
  let photoTaps = 0;
  let photos = 0;
  for (const s of def.steps) {
    switch (s.kind) {
      case "choice":
      case "yesno":
        taps += 1;
        break;
      case "multi":
        taps += 2;
        break;
      case "text":
      case "number":
      case "text-or-voice":
        if (s.optional) taps += 1;
        else typed += 1;
        break;
      case "photos":
        photoTaps += 1;
        if (!s.optional) photos += 1;
        break;
    }
  }
  return { taps, typed, photoTaps, photos };
}

/**
 * Registration as a channel-neutral state machine (the WhatsApp channel runs it; Telegram's
 * onboarding conversation asks the same questions with the same locale texts and limits): consent,
 * name (the messenger's profile name offered), business, kecamatan, the kecamatan's sentra or none,
 * why a sentra (when none), products (typed). No phone question: the messenger verified the number.
 * Typed answers are checked as everywhere (typed-answers.ts); a choice is a button id or typed
 * ("2", "mengwi").
 */
import { KECAMATAN, type Kecamatan } from "../vocabulary/kecamatan";
import { BUSINESS_MAX, NAME_MAX, PRODUCTS_MAX } from "../lib/limits";
import { checkTyped, typedChoice } from "./typed-answers";
import type { MachineInput, MachineOutput } from "./request-machine";
import type { Registration } from "./members";

type Translate = (key: string, vars?: Record<string, unknown>) => string;

export type RegistrationStep = "consent" | "name" | "business" | "kecamatan" | "sentra" | "wish" | "products";

export interface RegistrationState {
  step: RegistrationStep;
  name?: string;
  businessName?: string;
  kecamatan?: Kecamatan;
  /** The kecamatan's sentras as offered (ids and names), kept so a typed number means what was shown. */
  sentras?: { id: string; name: string }[];
  sentraId?: string | null;
  sentraName?: string;
  sentraWish?: Registration["sentraWish"];
  /** The profile name the messenger gives (offered for the name). */
  profileName?: string;
  /** Registering through a sentra's link: its kecamatan and sentra are filled in, not asked. */
  fromLink?: boolean;
  /** Asked first: is this the member registered elsewhere with this number typed (their id and name)? */
  linkCandidate?: { memberId: string; name: string };
}

export interface RegistrationDeps {
  /** The active sentras of a kecamatan. */
  sentrasIn(kecamatan: Kecamatan): Promise<{ id: string; name: string }[]>;
}

export type RegistrationResult =
  | { state: RegistrationState; out: MachineOutput[] }
  | { done: "declined"; out: MachineOutput[] }
  | { done: "register"; registration: Omit<Registration, "phone">; sentraName: string; out: MachineOutput[] };

const raw = { interpolation: { escapeValue: false } };
const NONE = "none";

export function registrationQuestion(s: RegistrationState, t: Translate): MachineOutput {
  switch (s.step) {
    case "consent":
      return {
        text: t("onboarding.consent"),
        choices: [
          { id: "yes", label: t("onboarding.consent_yes") },
          { id: "no", label: t("onboarding.consent_no") },
        ],
      };
    case "name":
      return {
        text: t("onboarding.ask_name"),
        ...(s.profileName ? { choices: [{ id: "profile", label: t("onboarding.use_telegram_name", { name: s.profileName, ...raw }) }] } : {}),
      };
    case "business":
      return { text: t("onboarding.ask_business", { name: s.name }) };
    case "kecamatan":
      return { text: t("onboarding.ask_kecamatan"), choices: KECAMATAN.map((k) => ({ id: k, label: k })) };
    case "sentra":
      return { text: t("onboarding.ask_sentra"), choices: [...(s.sentras ?? []).map((x) => ({ id: x.id, label: x.name })), { id: NONE, label: t("onboarding.no_sentra") }] };
    case "wish":
      return {
        text: t("onboarding.why_sentra"),
        choices: (["join", "form", "later"] as const).map((w) => ({ id: w, label: t(`onboarding.wish_${w}`) })),
      };
    case "products":
      return { text: t("onboarding.ask_products") };
  }
}

/** `linked`: the sentra of the link the member came by (its kecamatan and sentra are then not asked). */
export function startRegistration(
  t: Translate,
  profileName?: string,
  linked?: { id: string; name: string; kecamatan: Kecamatan },
): { state: RegistrationState; out: MachineOutput[] } {
  const name = profileName?.trim();
  const state: RegistrationState = {
    step: "consent",
    ...(name && name.length <= NAME_MAX ? { profileName: name } : {}),
    ...(linked ? { fromLink: true, kecamatan: linked.kecamatan, sentraId: linked.id, sentraName: linked.name, sentraWish: null } : {}),
  };
  const lead = linked ? [{ text: t("onboarding.sentra_from_link", { sentra: linked.name, kecamatan: linked.kecamatan }) }] : [];
  return { state, out: [...lead, registrationQuestion(state, t)] };
}

/** The answer to the current step: the next question, the same one with why, or the end. */
export async function advanceRegistration(s: RegistrationState, input: MachineInput, t: Translate, deps: RegistrationDeps): Promise<RegistrationResult> {
  const q = registrationQuestion(s, t);
  const again = (error: string): RegistrationResult => ({ state: s, out: [{ text: error }, q] });
  const to = async (next: RegistrationState): Promise<RegistrationResult> => ({ state: next, out: [registrationQuestion(next, t)] });
  const picked = (): string | undefined => {
    if (!q.choices) return undefined;
    if (input.kind === "choice") return q.choices.some((c) => c.id === input.id) ? input.id : undefined;
    return input.kind === "text" ? typedChoice(q.choices, input.text) : undefined;
  };
  const notAChoice = (): RegistrationResult => again(t(input.kind === "choice" ? "dialog.stale_button" : "dialog.expect_choice"));
  const typed = (max: number, singleLine = true): { ok: true; value: string } | { ok: false; error: string } =>
    input.kind === "text" ? checkTyped(t, input.text, max, singleLine) : { ok: false, error: t(input.kind === "choice" ? "dialog.stale_button" : "dialog.expect_text") };

  switch (s.step) {
    case "consent": {
      const c = picked();
      if (c === "no") return { done: "declined", out: [{ text: t("whatsapp.declined") }] };
      if (c !== "yes") return notAChoice();
      return to({ ...s, step: "name" });
    }
    case "name": {
      if (input.kind === "choice" && input.id === "profile" && s.profileName) return to({ ...s, step: "business", name: s.profileName });
      const v = typed(NAME_MAX);
      return v.ok ? to({ ...s, step: "business", name: v.value }) : again(v.error);
    }
    case "business": {
      const v = typed(BUSINESS_MAX);
      if (!v.ok) return again(v.error);
      return to({ ...s, step: s.fromLink ? "products" : "kecamatan", businessName: v.value });
    }
    case "kecamatan": {
      const k = picked() as Kecamatan | undefined;
      if (!k) return notAChoice();
      return to({ ...s, step: "sentra", kecamatan: k, sentras: await deps.sentrasIn(k) });
    }
    case "sentra": {
      const c = picked();
      if (!c) return notAChoice();
      if (c === NONE) return to({ ...s, step: "wish", sentraId: null, sentraName: t("onboarding.no_sentra") });
      return to({ ...s, step: "products", sentraId: c, sentraName: s.sentras?.find((x) => x.id === c)?.name ?? "", sentraWish: null });
    }
    case "wish": {
      const w = picked() as Registration["sentraWish"] | undefined;
      if (!w) return notAChoice();
      return to({ ...s, step: "products", sentraWish: w });
    }
    case "products": {
      const v = typed(PRODUCTS_MAX, false);
      if (!v.ok) return again(v.error);
      return {
        done: "register",
        registration: { name: s.name!, businessName: s.businessName!, products: v.value, kecamatan: s.kecamatan!, sentraId: s.sentraId ?? null, sentraWish: s.sentraWish ?? null },
        sentraName: s.sentraName ?? t("onboarding.no_sentra"),
        out: [],
      };
    }
  }
}

/**
 * The WhatsApp channel's variables (src/config.ts reads them with the rest): off without
 * WHATSAPP_ACCESS_TOKEN; with it, a partial configuration names the first missing variable.
 */
import { z } from "zod";

/** The Graph API base used when WHATSAPP_API_ROOT is unset. */
export const GRAPH_API_ROOT = "https://graph.facebook.com/v24.0";

/** The WhatsApp channel's settings (whatsapp/settings.ts names them for the channel's modules). */
export interface WhatsAppSettings {
  /** Bearer token for the Graph API. */
  accessToken: string;
  phoneNumberId: string;
  /** The Graph base URL including its version, e.g. https://graph.facebook.com/v24.0 (no trailing slash). */
  apiRoot: string;
  /** Signs the webhook bodies (X-Hub-Signature-256). */
  appSecret: string;
  /** Meta's webhook verification (hub.verify_token). */
  verifyToken: string;
  /** The approved utility template for updates outside the 24-hour window, and its language. */
  template: { name: string; language: string };
  /** The business number as members dial it (digits with the country code), for the sentras' wa.me links; unset: no such links. */
  number?: string;
}

/** The variables' schemas; `emptyToUndefined` is config.ts's own (a blank value counts as unset). */
export function whatsappFields(emptyToUndefined: (v: unknown) => unknown) {
  return {
    WHATSAPP_ACCESS_TOKEN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9_|.-]{20,1024}$/, "must be the Cloud API access token (a system user's permanent token), without spaces")
        .optional(),
    ),
    WHATSAPP_PHONE_NUMBER_ID: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^\d{5,20}$/, "must be the phone number ID from the WhatsApp Manager (digits)")
        .optional(),
    ),
    WHATSAPP_APP_SECRET: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9]{16,128}$/, "must be the Meta app's secret (letters and digits)")
        .optional(),
    ),
    WHATSAPP_VERIFY_TOKEN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[\x21-\x7e]{8,256}$/, "must be 8-256 visible characters, no spaces")
        .optional(),
    ),
    WHATSAPP_API_ROOT: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^https?:\/\/[^\s]+[^/\s]$/, "must be the Graph API base URL with its version, like https://graph.facebook.com/v24.0 (no trailing slash)")
        .default(GRAPH_API_ROOT),
    ),
    WHATSAPP_TEMPLATE: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[a-z0-9_]{1,512}$/, "must be an approved template's name (a-z, 0-9, _)")
        .default("aspirasi_update"),
    ),
    WHATSAPP_NUMBER: z.preprocess(
      (v) => (typeof v === "string" ? v.replace(/[\s+-]/g, "") : v),
      z.preprocess(
        emptyToUndefined,
        z
          .string()
          .regex(/^[1-9]\d{7,14}$/, "must be the business number with its country code, like 6281100000000")
          .optional(),
      ),
    ),
    WHATSAPP_TEMPLATE_LANGUAGE: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "must be a template language code like id or en_US")
        .default("id"),
    ),
  };
}

const WHATSAPP_PARTS = ["WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"] as const;

/** WhatsApp is on with WHATSAPP_ACCESS_TOKEN; a partial configuration names what is missing. */
export function whatsappOf(
  env: {
    WHATSAPP_ACCESS_TOKEN?: string;
    WHATSAPP_PHONE_NUMBER_ID?: string;
    WHATSAPP_APP_SECRET?: string;
    WHATSAPP_VERIFY_TOKEN?: string;
    WHATSAPP_API_ROOT: string;
    WHATSAPP_TEMPLATE: string;
    WHATSAPP_TEMPLATE_LANGUAGE: string;
    WHATSAPP_NUMBER?: string;
    PORT?: number;
  },
  ctx: z.RefinementCtx,
): WhatsAppSettings | undefined {
  const token = env.WHATSAPP_ACCESS_TOKEN;
  if (!token) {
    const set = WHATSAPP_PARTS.find((name) => env[name] !== undefined);
    if (set) ctx.addIssue({ code: "custom", path: ["WHATSAPP_ACCESS_TOKEN"], message: `required when ${set} is set (the WhatsApp channel is on only with its token)` });
    return undefined;
  }
  const missing = WHATSAPP_PARTS.find((name) => env[name] === undefined);
  if (missing) {
    ctx.addIssue({ code: "custom", path: [missing], message: "required when WHATSAPP_ACCESS_TOKEN is set" });
    return z.NEVER;
  }
  if (!env.PORT) {
    ctx.addIssue({ code: "custom", path: ["PORT"], message: "required when WHATSAPP_ACCESS_TOKEN is set (Meta posts WhatsApp messages to /whatsapp on this port)" });
    return z.NEVER;
  }
  const { WHATSAPP_PHONE_NUMBER_ID: phoneNumberId, WHATSAPP_APP_SECRET: appSecret, WHATSAPP_VERIFY_TOKEN: verifyToken } = env;
  if (!phoneNumberId || !appSecret || !verifyToken) return z.NEVER;
  return {
    accessToken: token,
    phoneNumberId,
    appSecret,
    verifyToken,
    apiRoot: env.WHATSAPP_API_ROOT,
    template: { name: env.WHATSAPP_TEMPLATE, language: env.WHATSAPP_TEMPLATE_LANGUAGE },
    ...(env.WHATSAPP_NUMBER ? { number: env.WHATSAPP_NUMBER } : {}),
  };
}

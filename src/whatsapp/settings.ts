/**
 * The WhatsApp channel's settings as the channel's modules need them, made by src/config.ts from
 * WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_API_ROOT, WHATSAPP_APP_SECRET,
 * WHATSAPP_VERIFY_TOKEN, WHATSAPP_TEMPLATE and WHATSAPP_TEMPLATE_LANGUAGE; nothing here reads the environment.
 */
export type { WhatsAppSettings } from "../config";

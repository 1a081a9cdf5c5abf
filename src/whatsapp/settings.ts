/**
 * The WhatsApp channel's settings as the channel's modules need them. The lead produces this from
 * src/config.ts (WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_API_ROOT, WHATSAPP_APP_SECRET,
 * WHATSAPP_VERIFY_TOKEN, WHATSAPP_TEMPLATE); nothing here reads the environment.
 */
export interface WhatsAppSettings {
  /** Bearer token for the Graph API. */
  accessToken: string;
  phoneNumberId: string;
  /** The Graph base URL including its version, e.g. https://graph.facebook.com/v23.0 (no trailing slash). */
  apiRoot: string;
  /** Signs the webhook bodies (X-Hub-Signature-256). */
  appSecret: string;
  /** Meta's webhook verification (hub.verify_token). */
  verifyToken: string;
  /** The approved utility template for updates outside the 24-hour window, and its language. */
  template: { name: string; language: string };
}

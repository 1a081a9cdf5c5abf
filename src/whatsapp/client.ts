/**
 * The Cloud API calls the channel makes, over `fetch` with our own types (no SDK: the calls are few
 * and small, and a dependency-free client is easy to point at the tests' fake Graph API through
 * WHATSAPP_API_ROOT). A non-2xx answer throws GraphApiError with Meta's error body (classified by
 * classify-failure.ts); a network error propagates as it is. The token is sent, never logged.
 */
import type { WhatsAppSettings } from "./settings";
import { GraphApiError, type GraphErrorBody } from "./classify-failure";
import type { OutgoingMessage } from "./render";

type Fetch = typeof fetch;

export interface MediaInfo {
  url: string;
  mime_type?: string;
  sha256?: string;
  file_size?: number;
  id: string;
}

export class WhatsAppClient {
  constructor(
    private readonly settings: Pick<WhatsAppSettings, "accessToken" | "phoneNumberId" | "apiRoot">,
    private readonly fetchFn: Fetch = fetch,
    private readonly timeoutMs = 15_000,
  ) {}

  private async call<T>(path: string, init: RequestInit): Promise<T> {
    const res = await this.fetchFn(`${this.settings.apiRoot}/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${this.settings.accessToken}`, ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = {};
    }
    if (!res.ok) throw new GraphApiError(res.status, ((body as { error?: GraphErrorBody }).error ?? { message: text.slice(0, 200) }) as GraphErrorBody);
    return body as T;
  }

  private async message(to: string, content: Record<string, unknown>): Promise<string> {
    const body = await this.call<{ messages?: { id: string }[] }>(`${this.settings.phoneNumberId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messaging_product: "whatsapp", recipient_type: "individual", to, ...content }),
    });
    const id = body.messages?.[0]?.id;
    if (!id) throw new GraphApiError(502, { message: "no message id in the answer", code: 131000 });
    return id;
  }

  /** One rendered message (render.ts); its wamid. */
  send(to: string, m: OutgoingMessage): Promise<string> {
    if (m.type === "text") return this.message(to, { type: "text", text: { body: m.body, preview_url: false } });
    if (m.type === "buttons") {
      return this.message(to, {
        type: "interactive",
        interactive: { type: "button", body: { text: m.body }, action: { buttons: m.buttons.map((b) => ({ type: "reply", reply: { id: b.id, title: b.title } })) } },
      });
    }
    return this.message(to, {
      type: "interactive",
      interactive: { type: "list", body: { text: m.body }, action: { button: m.button, sections: [{ rows: m.rows }] } },
    });
  }

  /** The approved template with its body parameters and (optionally) a quick-reply button's payload. */
  sendTemplate(to: string, template: { name: string; language: string }, params: string[], quickReplyPayload?: string): Promise<string> {
    const components: Record<string, unknown>[] = [{ type: "body", parameters: params.map((text) => ({ type: "text", text })) }];
    if (quickReplyPayload) components.push({ type: "button", sub_type: "quick_reply", index: "0", parameters: [{ type: "payload", payload: quickReplyPayload }] });
    return this.message(to, { type: "template", template: { name: template.name, language: { code: template.language }, components } });
  }

  sendImage(to: string, mediaId: string, caption?: string): Promise<string> {
    return this.message(to, { type: "image", image: { id: mediaId, ...(caption ? { caption } : {}) } });
  }

  sendAudio(to: string, mediaId: string): Promise<string> {
    return this.message(to, { type: "audio", audio: { id: mediaId } });
  }

  async uploadMedia(bytes: Uint8Array, mime: string, filename = "file"): Promise<string> {
    const form = new FormData();
    form.set("messaging_product", "whatsapp");
    form.set("type", mime);
    form.set("file", new Blob([bytes], { type: mime }), filename);
    const body = await this.call<{ id?: string }>(`${this.settings.phoneNumberId}/media`, { method: "POST", body: form });
    if (!body.id) throw new GraphApiError(502, { message: "no media id in the answer", code: 131000 });
    return body.id;
  }

  mediaInfo(mediaId: string): Promise<MediaInfo> {
    return this.call<MediaInfo>(encodeURIComponent(mediaId), { method: "GET" });
  }

  /** The media's bytes (the URL from mediaInfo, valid minutes); refused beyond `maxBytes` without reading it all. */
  async downloadMedia(url: string, maxBytes: number): Promise<Uint8Array> {
    const res = await this.fetchFn(url, { headers: { authorization: `Bearer ${this.settings.accessToken}` }, signal: AbortSignal.timeout(this.timeoutMs) });
    if (!res.ok) throw new GraphApiError(res.status, { message: `media download ${res.status}`, code: res.status >= 500 ? 131000 : 131052 });
    const declared = Number(res.headers.get("content-length") ?? 0);
    if (declared > maxBytes) {
      await res.body?.cancel();
      throw new RangeError(`media of ${declared} bytes is over the limit of ${maxBytes}`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body?.getReader();
    for (;;) {
      const part = await reader?.read();
      if (!part || part.done) break;
      size += part.value.length;
      if (size > maxBytes) {
        await reader?.cancel();
        throw new RangeError(`media over the limit of ${maxBytes} bytes`);
      }
      chunks.push(part.value);
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

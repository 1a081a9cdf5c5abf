/**
 * whatsapp/client.ts against the strict fake Graph API (test/helpers/fake-graph-api.ts): what Meta
 * takes, what it refuses and with which code, and how each refusal is classified
 * (classify-failure.ts): retry, slow down, template, or give up.
 */
import { FakeGraphApi } from "./helpers/fake-graph-api";
import { WhatsAppClient } from "../src/whatsapp/client";
import { classifyWhatsAppFailure, GraphApiError } from "../src/whatsapp/classify-failure";

const TOKEN = "EAAG" + "t".repeat(40);
const PHONE_ID = "106540352242922";
const MEMBER = "6281234567890";
const graph = new FakeGraphApi(TOKEN, PHONE_ID);
let client: WhatsAppClient;

beforeAll(async () => {
  const root = await graph.start();
  client = new WhatsAppClient({ accessToken: TOKEN, phoneNumberId: PHONE_ID, apiRoot: root });
  graph.approveTemplate("aspirasi_update", "id", 2);
});
afterAll(() => graph.stop());

const failure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).not.toBeNull();
  return { err, decision: classifyWhatsAppFailure(err, 0) };
};

test("inside the 24-hour window text, buttons and lists are sent; outside it only the template (131047 → template)", async () => {
  const outside = await failure(client.send(MEMBER, { type: "text", body: "Halo" }));
  expect((outside.err as GraphApiError).code).toBe(131047);
  expect(outside.decision.action).toBe("use_template");
  const wamid = await client.sendTemplate(MEMBER, { name: "aspirasi_update", language: "id" }, ["PRD-2026-001", "Status: ditelaah"], "open:PRD-2026-001");
  expect(wamid).toMatch(/^wamid\./);
  graph.inbound(MEMBER);
  await client.send(MEMBER, { type: "text", body: "*Halo*" });
  await client.send(MEMBER, {
    type: "buttons",
    body: "Pilih",
    buttons: [
      { id: "a", title: "Ya" },
      { id: "b", title: "Tidak" },
    ],
  });
  await client.send(MEMBER, { type: "list", body: "Pilih", button: "Pilih", rows: [{ id: "r1", title: "Kemasan", description: "Desain dan bahan" }] });
  expect(graph.sent.filter((m) => m.to === MEMBER).map((m) => m.type)).toEqual(["template", "text", "interactive", "interactive"]);
  expect(graph.htmlLeaks).toEqual([]);
});

test("Meta's limits are refused with 131009 and given up; template parameters with a newline with 132018", async () => {
  graph.inbound(MEMBER);
  const four = await failure(client.send(MEMBER, { type: "buttons", body: "x", buttons: ["a", "b", "c", "d"].map((id) => ({ id, title: id })) }));
  expect((four.err as GraphApiError).code).toBe(131009);
  expect(four.decision.action).toBe("give_up");
  expect((await failure(client.send(MEMBER, { type: "buttons", body: "x", buttons: [{ id: "a", title: "x".repeat(21) }] }))).decision.action).toBe("give_up");
  const rows = Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `Baris ${i}` }));
  expect(((await failure(client.send(MEMBER, { type: "list", body: "x", button: "Pilih", rows }))).err as GraphApiError).code).toBe(131009);
  expect(((await failure(client.send(MEMBER, { type: "text", body: "x".repeat(4097) }))).err as GraphApiError).code).toBe(100);
  const param = await failure(client.sendTemplate(MEMBER, { name: "aspirasi_update", language: "id" }, ["PRD-1", "dua\nbaris"]));
  expect((param.err as GraphApiError).code).toBe(132018);
  expect(((await failure(client.sendTemplate(MEMBER, { name: "lain", language: "id" }, ["a", "b"]))).err as GraphApiError).code).toBe(132001);
});

test("faults: 500 and 130429 are retried, 131056 slows down, 131026 gives up, a dropped connection is retried, a wrong token 190", async () => {
  graph.inbound(MEMBER);
  const cases: [Parameters<FakeGraphApi["failNext"]>[1], string][] = [
    [{ status: 500, code: 131000 }, "retry"],
    [{ status: 429, code: 130429 }, "retry"],
    [{ status: 400, code: 131056 }, "slow_down"],
    [{ status: 400, code: 131026, details: "Message undeliverable" }, "give_up"],
    [{ status: 0, code: 0, drop: true }, "retry"],
  ];
  for (const [fault, action] of cases) {
    graph.failNext(1, fault);
    expect({ fault: fault.code, action: (await failure(client.send(MEMBER, { type: "text", body: "Halo" }))).decision.action }).toEqual({ fault: fault.code, action });
  }
  const wrong = new WhatsAppClient({ accessToken: "EAAGwrong" + "x".repeat(30), phoneNumberId: PHONE_ID, apiRoot: graph.url });
  const bad = await failure(wrong.send(MEMBER, { type: "text", body: "Halo" }));
  expect([(bad.err as GraphApiError).status, (bad.err as GraphApiError).code]).toEqual([401, 190]);
});

test("media: a member's photo is looked up and downloaded with the token, within a size limit; an upload gives an id to send by", async () => {
  const id = graph.addMedia(Buffer.from("JPEGDATA".repeat(100)), "image/jpeg");
  const info = await client.mediaInfo(id);
  expect(info).toMatchObject({ id, mime_type: "image/jpeg", file_size: 800 });
  expect(Buffer.from(await client.downloadMedia(info.url, 1000)).toString()).toBe("JPEGDATA".repeat(100));
  await expect(client.downloadMedia(info.url, 100)).rejects.toThrow(RangeError);
  const uploaded = await client.uploadMedia(new Uint8Array([1, 2, 3]), "image/png", "kartu.png");
  graph.inbound(MEMBER);
  await client.sendImage(MEMBER, uploaded, "Foto dari petugas");
  expect(graph.sent.at(-1)).toMatchObject({ type: "image", payload: { image: { id: uploaded } } });
});

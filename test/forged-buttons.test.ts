/**
 * Every button family, as an attacker with a modified client would press it (issue 27): the data is
 * forged (ids of other requests, members, applications, confirmations; malformed), the message may be
 * another one (a card of another request), and seven kinds of sender press in three kinds of chat.
 * One table says, for each family × sender × chat, whether the press acts. A refused press changes
 * nothing in the database, edits and sends nothing (only the button's answer), and its answer leaks
 * no name and no request detail. An acting press is checked in a fresh world by what it changed.
 */
import { useTestDatabase } from "./helpers/db";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import type { Harness, ApiCall } from "./helpers/harness";
import { GROUP, ADMIN, cardMessageId, lastBotMessage, newMember, newRequest, officerWorld } from "./helpers/officers";
import { textOf } from "./helpers/localeText";
import { Request } from "../src/db/models/request";
import { Sentra } from "../src/db/models/sentra";
import { Member } from "../src/db/models/member";
import { ChairRequest } from "../src/db/models/chair-request";
import { Confirmation } from "../src/db/models/confirmation";
import { MessageRef } from "../src/db/models/message-ref";
import { Setting } from "../src/db/models/setting";
import { Officer } from "../src/db/models/officer";
import { listSentras } from "../src/domain/sentras";
import { changeStatus, claimRequest, type Actor } from "../src/domain/workflow";
import { queueChairRequest, queueMembershipReview, setChairperson } from "../src/domain/chairpersons";
import { createConfirmation } from "../src/domain/confirmations";
import { getOfficeContact } from "../src/domain/settings";
import {
  ADMIN_SENTRA,
  answerButtonData,
  cardButtonData,
  chairRequestButtonData,
  closureButtonData,
  confirmButtonData,
  freeMessageData,
  membershipButtonData,
  onBehalfTypeData,
  statusDetailData,
} from "../src/telegram/callback-data";

useTestDatabase();

const FOREIGN = -1005555000111;
/** The senders, in the order of the table's columns. */
const SENDERS = {
  stranger: 5399, // never registered
  member: 5301, // the requests' member
  otherMember: 5302, // a member of the other sentra
  otherChair: 5303, // the chairperson of the other sentra
  chair: 5304, // the chairperson of the member's sentra
  officer: 9101, // Made, from officerWorld
  admin: ADMIN,
} as const;
type Sender = keyof typeof SENDERS;
const ORDER = Object.keys(SENDERS) as Sender[];
const APPLICANT = 5305; // applies to chair the member's sentra
const NEWCOMER = 5306; // joined the member's sentra, waiting for the chairperson
type Chat = "private" | "group" | "foreign";

interface World {
  h: Harness;
  finished: { id: string; code: string }; // selesai, waiting for the member's answer
  open: { id: string; code: string }; // new, its card in the group
  applicationId: string;
  newcomerId: string;
  confirmationId: string; // an admin's staged change of the office contact
  choiceId: string; // the member's pending free-message choice
  applicationMessage: number;
  sentraId: string;
}

const MADE: Actor = { telegramId: 9101, role: "officer", name: "Made" };

async function world(): Promise<World> {
  const { h, sentraId } = await officerWorld();
  const other = (await listSentras()).find((s) => s.id !== sentraId)!.id;
  const member = await newMember(SENDERS.member, { sentraId, name: "Ni Luh Rahasia" });
  await newMember(SENDERS.otherMember, { sentraId: other, kecamatan: "Kuta" });
  await newMember(SENDERS.otherChair, { sentraId: other, kecamatan: "Kuta" });
  await newMember(SENDERS.chair, { sentraId });
  await newMember(APPLICANT, { sentraId, name: "Calon Ketua Rahasia" });
  const newcomer = await newMember(NEWCOMER, { sentraId, name: "Anggota Baru Rahasia" });
  await setChairperson(other, SENDERS.otherChair, ADMIN, new Date());
  await setChairperson(sentraId, SENDERS.chair, ADMIN, new Date());
  await Member.updateOne({ telegramId: NEWCOMER }, { $set: { sentraVerifiedAt: null } });
  const finished = await newRequest(member, "kemasan");
  const open = await newRequest(member, "pemasaran");
  await h.drain();
  const now = h.clock.now();
  expect((await claimRequest(finished.id, MADE, { now: now, sla: SLA_DEFAULTS })).ok).toBe(true);
  expect((await changeStatus(finished.id, MADE, "selesai", "Label sudah dicetak.", { now: now, sla: SLA_DEFAULTS })).ok).toBe(true);
  await queueChairRequest(APPLICANT, GROUP, [ADMIN], now);
  await queueMembershipReview(NEWCOMER, now);
  await h.deliver();
  const applicationId = String((await ChairRequest.findOne({}).lean())!._id);
  const applicationMessage = lastBotMessage(h, GROUP, /Calon Ketua Rahasia/).message_id;
  const confirmationId = await createConfirmation(ADMIN, "office_contact", { contact: "Telp 0361 000 (rahasia)" }, now);
  // The member writes without replying: the bot asks which request it is for (a stored choice).
  await h.user(SENDERS.member).send("Sudah saya kirim fotonya");
  const choiceId = String((await Confirmation.findOne({ by: SENDERS.member, action: "free_message" }).lean())!._id);
  h.telegram.reset();
  return {
    h,
    finished: { id: finished.id, code: finished.code },
    open: { id: open.id, code: open.code },
    applicationId,
    newcomerId: newcomer.id,
    confirmationId,
    choiceId,
    applicationMessage,
    sentraId,
  };
}

/** Everything a press could change. */
async function snapshot() {
  const [requests, sentras, members, applications, confirmations, refs, settings, officers] = await Promise.all([
    Request.find({}, { status: 1, confirmation: 1, rating: 1, assigneeTelegramId: 1, timeline: 1 }).sort({ _id: 1 }).lean(),
    Sentra.find({}, { chairpersonTelegramId: 1 }).sort({ _id: 1 }).lean(),
    Member.find({}, { telegramId: 1, sentraId: 1, sentraVerifiedAt: 1 }).sort({ _id: 1 }).lean(),
    ChairRequest.countDocuments(),
    Confirmation.countDocuments(),
    MessageRef.countDocuments(),
    Setting.find({}).sort({ _id: 1 }).lean(),
    Officer.find({}, { telegramId: 1, active: 1 }).sort({ _id: 1 }).lean(),
  ]);
  return JSON.stringify({ requests, sentras, members, applications, confirmations, refs, settings, officers });
}

interface Family {
  name: string;
  data: (w: World) => string;
  /** The message pressed in the officers' group (default: the open request's card). */
  groupMessage?: (w: World) => Promise<number>;
  /** Per chat, one character per sender (ORDER): "A" acts, "." refused. */
  acts: Record<Chat, string>;
  /** What an acting press changed (fresh world each time). */
  acted?: (w: World, sender: Sender, calls: ApiCall[]) => Promise<void>;
  /** A refused press may answer with this message (e.g. "not found" for a code): no leak. */
  refusedReply?: (w: World) => string;
}

const never = { private: ".......", group: ".......", foreign: "......." };
const sent = (calls: ApiCall[]) => calls.filter((c) => c.method === "sendMessage" || c.method === "editMessageText").map((c) => String(c.payload.text));

//                                         stranger, member, otherMember, otherChair, chair, officer, admin
const FAMILIES: Family[] = [
  {
    name: "cl:y (Sudah) on the finished request",
    data: (w) => closureButtonData("y", w.finished.id),
    acts: { private: ".A.....", group: ".......", foreign: "......." },
    acted: async (w) => expect((await Request.findById(w.finished.id).lean())!.confirmation).toBe("confirmed"),
  },
  {
    name: "cl:n (Belum) on the finished request",
    data: (w) => closureButtonData("n", w.finished.id),
    acts: { private: ".A.....", group: ".......", foreign: "......." },
    acted: async (w) => expect(await MessageRef.countDocuments({ requestId: w.finished.id, kind: "reopen_prompt" })).toBe(1),
  },
  { name: "cl:5 (stars) before Sudah", data: (w) => closureButtonData("5", w.finished.id), acts: never },
  { name: "cl:y with the id of an open request", data: (w) => closureButtonData("y", w.open.id), acts: never },
  {
    name: "oc:claim on the request's card",
    data: (w) => cardButtonData("claim", w.open.id),
    acts: { private: ".......", group: ".....AA", foreign: "......." },
    acted: async (w, sender) => expect((await Request.findById(w.open.id).lean())!.assigneeTelegramId).toBe(SENDERS[sender]),
  },
  {
    name: "oc:claim on another request's card",
    data: (w) => cardButtonData("claim", w.open.id),
    groupMessage: (w) => cardMessageId(w.finished.id),
    acts: never,
  },
  { name: "oc:done of the finished request", data: (w) => cardButtonData("done", w.finished.id), groupMessage: (w) => cardMessageId(w.finished.id), acts: never },
  {
    name: "ka:a on the application's message",
    data: (w) => chairRequestButtonData(true, w.applicationId),
    groupMessage: async (w) => w.applicationMessage,
    acts: { private: ".......", group: ".....AA", foreign: "......." },
    acted: async (w) => expect((await Sentra.findById(w.sentraId).lean())!.chairpersonTelegramId).toBe(APPLICANT),
  },
  { name: "ka:a on a card", data: (w) => chairRequestButtonData(true, w.applicationId), acts: never },
  {
    name: "vm:a for the newcomer",
    data: (w) => membershipButtonData(true, w.newcomerId),
    acts: { private: "....A..", group: ".......", foreign: "......." },
    acted: async () => expect((await Member.findOne({ telegramId: NEWCOMER }).lean())!.sentraVerifiedAt).toBeTruthy(),
  },
  {
    name: "cf:ok of the admin's staged change",
    data: (w) => confirmButtonData(true, w.confirmationId),
    acts: { private: "......A", group: "......A", foreign: "......." },
    acted: async () => expect(await getOfficeContact()).toContain("0361"),
  },
  {
    name: "ans (Jawab) for the open request",
    data: (w) => answerButtonData(w.open.id),
    acts: { private: ".A.....", group: ".......", foreign: "......." },
    acted: async (w) => expect(await MessageRef.countDocuments({ requestId: w.open.id, kind: "answer_prompt" })).toBe(1),
  },
  {
    name: "fm (free message to a request) of the member's choice",
    data: (w) => freeMessageData(w.choiceId, 0),
    acts: { private: ".A.....", group: ".......", foreign: "......." },
    acted: async (w) => expect((await Request.findById(w.open.id).lean())!.timeline.some((e) => e.kind === "answer" && e.role === "member")).toBe(true),
  },
  {
    name: "st:d (detail) of the open request",
    data: (w) => statusDetailData(w.open.code),
    acts: { private: ".A..AAA", group: ".......", foreign: "......." },
    acted: async (w, _s, calls) => expect(sent(calls).join("\n")).toContain(w.open.code),
    refusedReply: (w) => textOf("status.not_found", { code: w.open.code }),
  },
  {
    name: "ob (file for a member) as chairperson",
    data: () => onBehalfTypeData("kemasan"),
    acts: { private: "...AA..", group: ".......", foreign: "......." },
    acted: async (_w, _s, calls) => expect(sent(calls)).toContain(textOf("request.on_behalf.ask_member")),
  },
  {
    name: "adm:sentra:add",
    data: () => ADMIN_SENTRA.add,
    acts: { private: "......A", group: ".......", foreign: "......." },
    acted: async (_w, _s, calls) => expect(sent(calls).length).toBeGreaterThan(0),
  },
  { name: "malformed card data", data: (w) => `oc:claim:${w.open.id.slice(0, 20)}zz`, acts: never },
  { name: "malformed closure data", data: (w) => `cl:9:${w.finished.id}`, acts: never },
  { name: "malformed application data", data: () => "ka:a:../../etc", acts: never },
];

interface Cell {
  family: Family;
  sender: Sender;
  chat: Chat;
  acts: boolean;
}
const CELLS: Cell[] = FAMILIES.flatMap((family) =>
  (["private", "group", "foreign"] as Chat[]).flatMap((chat) => ORDER.map((sender, i) => ({ family, sender, chat, acts: family.acts[chat][i] === "A" }))),
);

async function press(w: World, cell: Cell): Promise<ApiCall[]> {
  const id = SENDERS[cell.sender];
  const data = cell.family.data(w);
  if (cell.chat === "private") return w.h.user(id).press(data, { raw: true });
  if (cell.chat === "foreign") return w.h.inGroup(FOREIGN, id).press(data, { raw: true, messageId: 77 });
  const messageId = await (cell.family.groupMessage ?? ((x: World) => cardMessageId(x.open.id)))(w);
  return w.h.inGroup(GROUP, id).press(data, { raw: true, messageId });
}

/** Names and details that a refusal must never show. */
const secrets = (w: World) => ["Ni Luh Rahasia", "Calon Ketua Rahasia", "Anggota Baru Rahasia", "0361", "Usaha", w.finished.code, w.open.code, "Amerta", "Kuta Rasa"];

describe("refused presses change nothing and show nothing", () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  }, 60_000);

  test.each(CELLS.filter((c) => !c.acts).map((c) => [c.family.name, c.sender, c.chat, c] as const))("%s · %s · %s chat", async (_f, _s, _c, cell) => {
    const before = await snapshot();
    const calls = await press(w, cell);
    await w.h.drain();
    expect(await snapshot()).toBe(before);
    const answers = calls.filter((c) => c.method === "answerCallbackQuery");
    expect(answers).toHaveLength(1);
    const others = calls.filter((c) => c.method !== "answerCallbackQuery");
    const allowed = cell.family.refusedReply?.(w);
    for (const c of others) {
      expect(c.method).toBe("sendMessage");
      expect(c.payload.text).toBe(allowed);
    }
    // The member in their own chat and staff in theirs may read the code in a refusal; nobody else anything.
    const maySee = (cell.sender === "member" && cell.chat === "private") || ((cell.sender === "officer" || cell.sender === "admin") && cell.chat !== "foreign");
    if (!maySee) for (const s of secrets(w)) expect(String(answers[0].payload.text ?? "")).not.toContain(s);
  });
});

describe("acting presses do what the button says", () => {
  test.each(CELLS.filter((c) => c.acts).map((c) => [c.family.name, c.sender, c.chat, c] as const))(
    "%s · %s · %s chat",
    async (_f, sender, _c, cell) => {
      const w = await world();
      const calls = await press(w, cell);
      await cell.family.acted!(w, sender, calls);
    },
    60_000,
  );
});

import { Setting, settingWrites } from "../db/models/setting";
import { ReadCache } from "../lib/read-cache";

/**
 * Settings are read on many updates (the office contact in /bantuan and the menu, the group on every
 * send) and written by an admin now and then: cached, dropped by every write through mongoose here,
 * and by another process's write within the stamp poll (db/shared-stamps.ts).
 */
const cache = new ReadCache<string, unknown>({ max: 20, ttlMs: 5 * 60_000, version: () => settingWrites.version });
function readSetting(key: string): Promise<unknown> {
  return cache.getOrLoad(key, async () => (await Setting.findById(key).lean())?.value ?? null);
}

const OFFICER_GROUP = "officerGroupId";

/**
 * The officers' group: OFFICER_GROUP_ID from the environment when set (`override`), else the group an
 * admin linked with /sambungkan. Undefined while no group is known (alerts then wait in the outbox).
 */
export async function getOfficerGroupId(override?: number, opts: { fresh?: boolean } = {}): Promise<number | undefined> {
  if (override !== undefined) return override;
  // `fresh`: read past the cache, e.g. before refusing a staff command (another process may have linked the group a moment ago).
  if (opts.fresh) cache.invalidate(OFFICER_GROUP);
  const value = await readSetting(OFFICER_GROUP);
  return typeof value === "number" ? value : undefined;
}

export async function setOfficerGroupId(chatId: number, by: number): Promise<void> {
  await Setting.updateOne({ _id: OFFICER_GROUP }, { $set: { value: chatId, updatedBy: by } }, { upsert: true });
}

const OFFICE_CONTACT = "officeContact";
/** The longest office contact block (phone, WhatsApp, address). */
export const OFFICE_CONTACT_MAX = 300;

/** How members reach the office (phone / WhatsApp / address, as the admins wrote it), or null when not set. */
export async function getOfficeContact(): Promise<string | null> {
  const value = await readSetting(OFFICE_CONTACT);
  return typeof value === "string" && value.trim() ? value : null;
}

/** Sets (or, with null, removes) the office contact. */
export async function setOfficeContact(text: string | null, by: number): Promise<void> {
  if (text === null) await Setting.deleteOne({ _id: OFFICE_CONTACT });
  else await Setting.updateOne({ _id: OFFICE_CONTACT }, { $set: { value: text, updatedBy: by } }, { upsert: true });
}

const MONTHLY_REPORT = "monthlyReport";

/** Whether admins get last month's recap on the first working day (on unless an admin turned it off). */
export async function isMonthlyReportOn(): Promise<boolean> {
  return (await readSetting(MONTHLY_REPORT)) !== false;
}

export async function setMonthlyReport(on: boolean, by: number): Promise<void> {
  await Setting.updateOne({ _id: MONTHLY_REPORT }, { $set: { value: on, updatedBy: by } }, { upsert: true });
}

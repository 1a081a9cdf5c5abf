import { Setting } from "../db/models/setting";

const OFFICER_GROUP = "officerGroupId";

/**
 * The officers' group: OFFICER_GROUP_ID from the environment when set (`override`), else the group an
 * admin linked with /sambungkan. Undefined while no group is known (alerts then wait in the outbox).
 */
export async function getOfficerGroupId(override?: number): Promise<number | undefined> {
  if (override !== undefined) return override;
  const doc = await Setting.findById(OFFICER_GROUP).lean();
  return typeof doc?.value === "number" ? doc.value : undefined;
}

export async function setOfficerGroupId(chatId: number, by: number): Promise<void> {
  await Setting.updateOne({ _id: OFFICER_GROUP }, { $set: { value: chatId, updatedBy: by } }, { upsert: true });
}

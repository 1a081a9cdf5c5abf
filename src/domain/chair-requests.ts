/**
 * Pending applications to chair a sentra (see db/models/chair-request), as far as other modules
 * change them: when a chairperson stops chairing (moved to another sentra, erased their data), the
 * applications that named them as the chair to replace now replace nobody.
 */
import { ChairRequest } from "../db/models/chair-request";
import { isDuplicateKeyError } from "../db/errors";

/**
 * Applications that named `telegramId` as the chair to replace now name none (the sentra has no
 * chair any more). Where the same member had also applied while the sentra had no chair, that one
 * stays and this one goes (they are the same application now). Only those applications change.
 */
export async function releaseChairInApplications(telegramId: number): Promise<void> {
  for (const app of await ChairRequest.find({ previousChair: telegramId }, { _id: 1 }).lean()) {
    try {
      await ChairRequest.updateOne({ _id: app._id, previousChair: telegramId }, { $set: { previousChair: null } });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      await ChairRequest.deleteOne({ _id: app._id, previousChair: telegramId });
    }
  }
}

/**
 * What start-up loads into the database (main.ts): the sentras of data/sentras.json when there are
 * none yet, and the holidays of data/holidays/<year>.json that are not stored yet (a new year's file
 * after an update; days an admin removed stay removed: they are kept as inactive).
 */
import path from "node:path";
import fs from "node:fs";
import type { Logger } from "../logger";
import { Sentra } from "../db/models/sentra";
import { seedSentras, type SentraSeed } from "../domain/sentras";
import { seedHolidayFiles } from "../domain/holidays";

const DATA = path.resolve(__dirname, "..", "..", "data");

export async function seedAtStart(logger: Logger): Promise<void> {
  if ((await Sentra.estimatedDocumentCount()) === 0) {
    const file = path.join(DATA, "sentras.json");
    if (fs.existsSync(file)) {
      const res = await seedSentras(JSON.parse(fs.readFileSync(file, "utf8")) as SentraSeed[]);
      logger.info(res, "empty database: sentras loaded from data/sentras.json");
    }
  }
  const res = await seedHolidayFiles(path.join(DATA, "holidays"));
  if (res.inserted > 0) logger.info(res, "holidays loaded from data/holidays");
}

/**
 * The admins' features, one file each: sentras, chairpersons, the office contact, the monthly
 * report, holidays (private commands behind guard.ts), and the staff commands that also work in
 * the officers' group (group link, officers, the confirmation button). Identity is always the
 * sender of the update, checked on the server for every command and button.
 */
import { Composer } from "grammy";
import type { BotContext } from "../../context";
import type { Clock } from "../../../lib/clock";
import { createSentrasFeature } from "./sentras";
import { createChairsFeature } from "./chairs";
import { createContactFeature } from "./contact";
import { createMonthlyReportFeature } from "./monthly-report";
import { createHolidaysFeature } from "./holidays";
import { createGroupLinkFeature } from "./group-link";
import { createOfficersFeature } from "./officers";
import { createConfirmFeature } from "./confirm";

export function createAdminFeature(deps: { clock: Clock }): Composer<BotContext> {
  return new Composer<BotContext>(
    createSentrasFeature(deps),
    createChairsFeature(),
    createContactFeature(deps),
    createMonthlyReportFeature(deps),
    createHolidaysFeature(deps),
    createGroupLinkFeature(deps),
    createOfficersFeature(deps),
    createConfirmFeature(deps),
  );
}

import type { Config } from "../config";
import type { ChangeBasis } from "../domain/deadlines";

/** What a change made in this update is computed with: its time and the configured service levels. */
export function changeBasis(ctx: { config: Pick<Config, "sla"> }, now: Date): ChangeBasis {
  return { now, sla: ctx.config.sla };
}

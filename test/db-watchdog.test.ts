/**
 * db/watchdog.ts: pings that fail for a minute without a break make the driver's connections
 * again, once a minute at most; a ping that answers clears the count. (With fake pings and time:
 * what a reconnect does to mongoose is the fault tests' and the chaos run's.)
 */
import { startConnectionWatchdog } from "../src/db/watchdog";
import { silentLogger } from "./helpers/harness";

test("a minute of failed pings reconnects once (then again only a minute later); an answer in between starts the count again", async () => {
  let t = 0;
  let up = true;
  let reconnects = 0;
  const w = startConnectionWatchdog(
    {
      ping: async () => (up ? "ok" : Promise.reject(new Error("server selection timed out"))),
      reconnect: async () => void reconnects++,
      logger: silentLogger,
      now: () => t,
      resetAfterMs: 60_000,
    },
    { timer: false },
  );
  expect(await w.check()).toBe("ok");
  up = false;
  expect(await w.check()).toBe("failing");
  t = 30_000;
  expect(await w.check()).toBe("failing");
  // Answers once: the count starts again.
  up = true;
  expect(await w.check()).toBe("ok");
  up = false;
  t = 40_000;
  expect(await w.check()).toBe("failing");
  t = 99_000;
  expect(await w.check()).toBe("failing");
  t = 100_000;
  expect(await w.check()).toBe("reconnected");
  expect(reconnects).toBe(1);
  t = 150_000;
  expect(await w.check()).toBe("failing");
  t = 160_000;
  expect(await w.check()).toBe("reconnected");
  expect(reconnects).toBe(2);
});

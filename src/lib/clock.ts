/**
 * The one source of "now" for the officer workflow, the dispatcher and the features: injected
 * through their dependencies (createBot's `clock`), so tests move time without waiting. Stored
 * times are UTC; lib/time.ts shows them in WITA.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

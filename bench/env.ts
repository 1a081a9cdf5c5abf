/** A positive number from the environment (a bench setting), else `fallback`. */
export const env = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

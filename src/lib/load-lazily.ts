/**
 * A module loaded with `import()` on first use. Compiled by tsc, `import()` is a `require` and the
 * exports are the namespace; run natively (a bundle keeps `import()`), a CommonJS package's exports
 * may sit under `default` only. Either way this gives the package's exports.
 */
export async function loadLazily<T extends object>(load: () => Promise<T>): Promise<T> {
  const mod = (await load()) as T & { default?: T };
  return mod.default && typeof mod.default === "object" ? mod.default : mod;
}

// npm run lint: typescript-eslint's recommended rules, no `any`, and the layer rule of
// docs/ARCHITECTURE.md (src/domain imports nothing of Telegram; test/boundaries.test.ts checks it too).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "bench/mongo-java-server/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    files: ["src/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["grammy", "grammy/*", "@grammyjs/*"], message: "src/domain knows nothing of Telegram (docs/ARCHITECTURE.md)." },
            { group: ["../bot/*", "../telegram/*", "../delivery/*", "../server/*"], message: "src/domain imports only db, lib, i18n and config." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/reports/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["grammy", "grammy/*", "@grammyjs/*"], message: "src/reports makes files; sending them is the bot's (docs/ARCHITECTURE.md)." },
            { group: ["../bot/*", "../telegram/*", "../delivery/*", "../server/*"], message: "src/reports imports only domain, db, lib, i18n and config." },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly", __dirname: "readonly", process: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-require-imports": "off",
    },
  },
);

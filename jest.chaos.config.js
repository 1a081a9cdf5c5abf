/** `npm run chaos`: the whole-process fault test (several minutes), kept out of `npm test`. */
const base = require("./jest.config");
// forceExit: a run cut off by its timeout leaves its members' loops and the fake Telegram's webhook
// retries behind; jest must end all the same (CI waited an hour for it once).
module.exports = { ...base, testMatch: ["**/chaos/*.chaos.ts"], maxWorkers: 1, testTimeout: 780000, forceExit: true };

/** `npm run chaos`: the whole-process fault test (several minutes), kept out of `npm test`. */
const base = require("./jest.config");
module.exports = { ...base, testMatch: ["**/chaos/*.chaos.ts"], maxWorkers: 1, testTimeout: 600000 };

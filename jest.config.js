/** Jest runs TypeScript through SWC; `tsc --noEmit` type-checks separately. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Jest loads modules as CommonJS; src/zod.ts imports zod's English
  // messages from the ES module file, which the bundles use.
  moduleNameMapper: {
    "^zod/v4/locales/en\\.js$": "<rootDir>/node_modules/zod/v4/locales/en.cjs",
  },
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }],
  },
  testTimeout: 30000,
};

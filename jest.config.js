/** Jest runs TypeScript through SWC; `tsc --noEmit` type-checks separately. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }],
  },
  testTimeout: 30000,
};

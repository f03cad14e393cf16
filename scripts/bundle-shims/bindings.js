// Replaces the bindings package in the better-sqlite3 driver file. bindings
// finds a native addon by walking up from its caller's file, which inside
// a bundle is the function's folder rather than better-sqlite3's, and it
// tries about a dozen build folders on the way. better-sqlite3 12 installs
// its addon at build/Release/better_sqlite3.node, whether built or
// prebuilt, so this requires that path through Node's module search path
// (node_modules folders and NODE_PATH), as a plain require("better-sqlite3")
// would find the package.
"use strict";
module.exports = function bindings(name) {
  if (name !== "better_sqlite3.node") {
    throw new Error(
      `the bindings shim loads only better_sqlite3.node, not ${name}`,
    );
  }
  return require("better-sqlite3/build/Release/better_sqlite3.node");
};

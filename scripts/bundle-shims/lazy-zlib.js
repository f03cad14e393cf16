// Replaces node:zlib for node-fetch 2 (used by tencentcloud-sdk-nodejs) in
// function bundles. node-fetch requires zlib at load time but uses it only
// to decode a response with a Content-Encoding; this proxy loads node:zlib
// on that first use.
"use strict";
module.exports = new Proxy(
  {},
  { get: (_target, key) => require("node:zlib")[key] },
);

// Replaces node:https for node-fetch 2 (used by tencentcloud-sdk-nodejs) in
// function bundles. node-fetch requires https at load time but uses only
// `https.request`, and only for https URLs; this proxy loads node:https on
// that first use. Loading https (with tls) took about 2.4 ms of a cold
// start (Node 20, 2-core VM), which a function whose TDMQ endpoint is
// http, as in the local emulator, never needs.
"use strict";
module.exports = new Proxy(
  {},
  { get: (_target, key) => require("node:https")[key] },
);

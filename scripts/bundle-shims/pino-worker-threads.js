// Replaces node:worker_threads for pino/lib/tools.js (pino 9) in function
// bundles. tools.js reads only `isMainThread`, and only in
// buildSafeSonicBoom after `new SonicBoom()`, which throws in function
// bundles (see sonic-boom.js), so the value below is never used. Loading
// node:worker_threads took about 2 ms of each cold start (Node 20, 2-core
// VM).
"use strict";
module.exports = { isMainThread: true };

// Replaces pino/lib/transport.js (pino 9) in function bundles.
// pino.transport() runs log transports in a worker thread through
// thread-stream; the functions write JSON lines to stdout and never call
// it. The original loads node:module, thread-stream and atomic-sleep at
// cold start.
"use strict";
module.exports = function transport() {
  throw new Error(
    "pino.transport() is not supported in function bundles: log to a writable stream",
  );
};

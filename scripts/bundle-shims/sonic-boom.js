// Replaces sonic-boom in function bundles. pino writes through SonicBoom
// only for pino.destination(), a file path or file descriptor, or when it
// is given no stream. createLogger (src/logging/logger.ts) always passes a
// writable stream, so pino only tests `instanceof SonicBoom`, which is
// false for every stream it gets. Dropping the package also avoids loading
// node:assert at cold start.
"use strict";
class SonicBoom {
  constructor() {
    throw new Error(
      "sonic-boom is not included in function bundles: pass a writable stream to pino (createLogger does)",
    );
  }
}
module.exports = SonicBoom;
module.exports.default = SonicBoom;
module.exports.SonicBoom = SonicBoom;

// Replaces uuid in function bundles. tencentcloud-sdk-nodejs 4.1 calls
// only `v4()`, without arguments, for each request's X-TC-TraceId; uuid 11
// itself returns crypto.randomUUID() in that case. The rest of the package
// (v1, v3, v5 to v7, parse, validate) is never used.
"use strict";
const { randomUUID } = require("node:crypto");

function v4(options, buffer) {
  if (options !== undefined || buffer !== undefined) {
    throw new Error(
      "uuid.v4 in function bundles takes no arguments: the uuid package is not included",
    );
  }
  return randomUUID();
}
module.exports = { v4 };

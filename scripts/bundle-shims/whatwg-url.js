// Replaces the whatwg-url package in function bundles. node-fetch@2 (used
// by tencentcloud-sdk-nodejs) takes Node's own `url.URL` whenever it exists,
// which it does on every runtime SCF offers, so the 280 KB package is dead.
"use strict";
module.exports = { URL: require("node:url").URL };

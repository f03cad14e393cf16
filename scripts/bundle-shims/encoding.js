// Replaces the optional `encoding` package that node-fetch@2 (used by
// tencentcloud-sdk-nodejs) tries to require at load time. It is not
// installed, so without this module every cold start searches
// node_modules for it and fails. node-fetch needs it only for
// Body.textConverted(), which the SDK does not call; exporting no
// `convert` keeps that method's usual "must be installed" error.
"use strict";
module.exports = {};

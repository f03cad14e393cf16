// Replaces the mime-types package (and its 130 KB database) in function
// bundles. form-data, a dependency of tencentcloud-sdk-nodejs, calls it
// only to guess a file's type for multipart uploads; the TDMQ actions the
// functions call send JSON, so no lookup ever happens.
"use strict";
module.exports = {
  lookup: () => false,
  contentType: () => false,
  extension: () => false,
  charset: () => false,
  types: {},
  extensions: {},
};

// Replaces form-data (with combined-stream, asynckit and get-intrinsic) in
// function bundles. tencentcloud-sdk-nodejs 4.1 builds a FormData only for
// requests sent with `multipart: true` (file uploads); the TDMQ actions the
// functions call send JSON bodies.
"use strict";
class FormData {
  constructor() {
    throw new Error(
      "form-data is not included in function bundles: multipart requests are not supported",
    );
  }
}
module.exports = FormData;
module.exports.default = FormData;

// Replaces bignumber.js in function bundles. tencentcloud-sdk-nodejs 4.1
// uses json-bigint only to stringify request bodies with native BigInt
// support, and that code path calls only `BigNumber.isBigNumber(value)`,
// which returns false for every value the functions send. Parsing into
// BigNumber objects, the package's main use, is never called.
"use strict";
function BigNumber() {
  throw new Error(
    "bignumber.js is not included in function bundles: only isBigNumber is available",
  );
}
// The same duck-typed test as bignumber.js 9 (outside its DEBUG mode).
BigNumber.isBigNumber = (value) =>
  Boolean(value) && value._isBigNumber === true;
module.exports = BigNumber;
module.exports.default = BigNumber;
module.exports.BigNumber = BigNumber;

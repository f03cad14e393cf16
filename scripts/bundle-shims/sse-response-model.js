// Replaces tencentcloud/common/sse_response_model.js of
// tencentcloud-sdk-nodejs 4.1 in function bundles. The SDK wraps a response
// in SSEResponseModel only when its Content-Type is text/event-stream,
// which TDMQ's actions never return. The original loads node:readline at
// cold start.
"use strict";
class SSEResponseModel {
  constructor() {
    throw new Error(
      "server-sent event responses are not supported in function bundles",
    );
  }
}
exports.SSEResponseModel = SSEResponseModel;

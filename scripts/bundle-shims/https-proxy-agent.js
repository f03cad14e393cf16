// Replaces https-proxy-agent (with agent-base, debug and supports-color) in
// function bundles. tencentcloud-sdk-nodejs 4.1 creates a proxy agent in
// common/http/fetch.js only when a request has no `agent` and a proxy is
// set (httpProfile.proxy or http_proxy). CmqPublisher always passes its own
// keep-alive agent, so that branch never runs in a function.
"use strict";
class HttpsProxyAgent {
  constructor() {
    throw new Error(
      "https-proxy-agent is not included in function bundles: pass httpProfile.agent to the Tencent Cloud SDK client",
    );
  }
}
module.exports = HttpsProxyAgent;
module.exports.default = HttpsProxyAgent;
module.exports.HttpsProxyAgent = HttpsProxyAgent;

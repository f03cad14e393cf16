// Child process of bench/cold-start.ts: requires one function bundle, calls
// its main_handler once with a sample event, and reports both times over
// IPC. Plain CommonJS with no loader, as SCF's Node.js runtime runs a bundle.
"use strict";
const { readFileSync } = require("node:fs");

const started = performance.now();
const [bundle, eventFile] = process.argv.slice(2);

// An integrated response by its status, any other result as short JSON.
function describeResult(result) {
  if (result && typeof result.statusCode === "number")
    return `HTTP ${result.statusCode}`;
  return JSON.stringify(result).slice(0, 100);
}

async function main() {
  const event = JSON.parse(readFileSync(eventFile, "utf8"));
  const context = {
    request_id: "cold-start-0001",
    function_name: process.env.SCF_FUNCTIONNAME,
    function_version: "$LATEST",
    namespace: "default",
    time_limit_in_ms: 10_000,
    memory_limit_in_mb: 256,
  };
  const beforeRequire = performance.now();
  const handler = require(bundle).main_handler;
  const afterRequire = performance.now();
  const result = await handler(event, context);
  const afterInvoke = performance.now();
  return {
    eventReadMs: beforeRequire - started,
    requireMs: afterRequire - beforeRequire,
    invokeMs: afterInvoke - afterRequire,
    result: describeResult(result),
  };
}

main().then(
  (report) => process.send(report, () => process.exit(0)),
  (error) =>
    process.send({ error: String(error && error.stack) }, () =>
      process.exit(1),
    ),
);

// Worker-thread entry of one emulated SCF function instance. It loads the
// handler once (the cold start) and runs one invocation per "invoke"
// message, replying with a "result" message. Plain CommonJS, so it runs
// without a TypeScript loader.
"use strict";
const { parentPort, workerData } = require("node:worker_threads");

let handler;
let initError;
try {
  const loaded = require(workerData.file);
  handler = loaded[workerData.exportName];
  if (typeof handler !== "function") {
    initError = new Error(
      `${workerData.file} has no exported function "${workerData.exportName}"`,
    );
  }
} catch (error) {
  initError = error;
}

function errorPayload(error) {
  if (error instanceof Error) {
    return {
      errorMessage: error.message,
      errorType: error.name,
      stackTrace: error.stack || "",
    };
  }
  return { errorMessage: String(error), errorType: "Error", stackTrace: "" };
}

// SCF serializes the return value as JSON, so undefined becomes null and
// class instances become plain objects.
function serialize(value) {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}

function run(event, context) {
  // A handler with three parameters is the callback form.
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      handler(event, context, (error, result) =>
        error ? reject(error) : resolve(result),
      );
    });
  }
  return Promise.resolve().then(() => handler(event, context));
}

parentPort.on("message", async (message) => {
  if (message.type !== "invoke") return;
  if (initError) {
    parentPort.postMessage({
      type: "result",
      id: message.id,
      ok: false,
      error: errorPayload(initError),
      init: true,
    });
    return;
  }
  try {
    const value = serialize(await run(message.event, message.context));
    parentPort.postMessage({ type: "result", id: message.id, ok: true, value });
  } catch (error) {
    parentPort.postMessage({
      type: "result",
      id: message.id,
      ok: false,
      error: errorPayload(error),
    });
  }
});

parentPort.postMessage({
  type: "ready",
  initError: initError ? errorPayload(initError) : undefined,
});

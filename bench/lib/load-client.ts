import { fork } from "node:child_process";
import { join } from "node:path";
import type { LoadResult, LoadSpec, WorkerMessage } from "./load-spec";
import { log } from "./log";

/**
 * Runs a worker module (load-worker.ts or publish-worker.ts) in its own
 * process with tsx, sends it `spec` and returns its result, printing its
 * progress lines under `label`.
 */
export function runWorkerProcess<Result>(
  module: string,
  label: string,
  spec: unknown,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, module), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let result: Result | undefined;
    let failure: Error | undefined;
    child.on("message", (message: WorkerMessage<Result>) => {
      if (message.type === "progress") log(label, message.text);
      else if (message.type === "result") result = message.result;
      else failure = new Error(`${module} failed: ${message.message}`);
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (result !== undefined) resolve(result);
      else
        reject(
          failure ??
            new Error(`${module} exited with code ${code} and no result`),
        );
    });
    child.send(spec as object);
  });
}

/** Runs one HTTP load in a separate load-generator process. */
export function generateLoad(spec: LoadSpec): Promise<LoadResult> {
  return runWorkerProcess<LoadResult>("load-worker.ts", spec.label, spec);
}

import { spawn } from "node:child_process";
import type { DeployStep } from "./plan";

/** A step that could not start or exited non-zero. */
export class StepFailedError extends Error {
  readonly step: DeployStep;

  constructor(step: DeployStep, detail: string) {
    super(`deploy failed at step ${step.name}: ${commandLine(step)} ${detail}`);
    this.name = "StepFailedError";
    this.step = step;
  }
}

/** Returns the step's command as one shell-like line, for messages. */
export function commandLine(step: DeployStep): string {
  return [step.command, ...step.args].join(" ");
}

/** Runs one step with inherited stdio and resolves when it exits 0. */
function runStep(step: DeployStep): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(step.command, step.args, {
      cwd: step.cwd,
      env: { ...process.env, ...step.env },
      stdio: "inherit",
    });
    child.on("error", (error) => {
      reject(new StepFailedError(step, `could not start: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      if (code === 0) {
        resolvePromise();
      } else if (signal) {
        reject(new StepFailedError(step, `was stopped by ${signal}`));
      } else {
        reject(new StepFailedError(step, `exited with code ${code}`));
      }
    });
  });
}

/**
 * Runs the steps in order and stops at the first that fails, so a failed
 * build or migration never reaches the deploy.
 */
export async function runSteps(
  steps: DeployStep[],
  log: (line: string) => void,
): Promise<void> {
  for (const [index, step] of steps.entries()) {
    log(
      `\n==> [${index + 1}/${steps.length}] ${step.name}: ${commandLine(step)}`,
    );
    await runStep(step);
  }
}

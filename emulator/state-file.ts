import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** State a running emulator writes to `<dataDir>/emulator.json`. */
export interface EmulatorState {
  pid: number;
  httpUrl: string;
  startedAt: string;
}

const FILE = "emulator.json";

export function writeState(dataDir: string, state: EmulatorState): void {
  writeFileSync(join(dataDir, FILE), `${JSON.stringify(state, null, 2)}\n`);
}

export function removeState(dataDir: string): void {
  rmSync(join(dataDir, FILE), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Reads the state of the emulator running on `dataDir`, or undefined when
 * none runs (no file, or the process that wrote it is gone, as after a
 * crash).
 */
export function readRunningState(dataDir: string): EmulatorState | undefined {
  let state: EmulatorState;
  try {
    state = JSON.parse(
      readFileSync(join(dataDir, FILE), "utf8"),
    ) as EmulatorState;
  } catch {
    return undefined;
  }
  return isAlive(state.pid) ? state : undefined;
}

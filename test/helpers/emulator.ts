import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import pino from "pino";
import {
  type Emulator,
  type EmulatorOptions,
  startEmulator,
} from "../../emulator/emulator";

export const ROOT = resolve(__dirname, "../..");

export interface TestEmulator extends Emulator {
  /** Everything the functions logged, one JSON line each. */
  functionLogs(): string;
  stop(): Promise<void>;
}

/**
 * Starts the emulator on ephemeral ports with a fresh data folder, quick
 * retries and function logs captured in memory.
 */
export async function startTestEmulator(
  overrides: Partial<EmulatorOptions> = {},
): Promise<TestEmulator> {
  const dataDir =
    overrides.dataDir ?? mkdtempSync(join(tmpdir(), "scf-emulator-"));
  const logStream = new PassThrough();
  const chunks: Buffer[] = [];
  logStream.on("data", (chunk: Buffer) => chunks.push(chunk));

  const emulator = await startEmulator({
    root: ROOT,
    port: 0,
    apiPort: 0,
    paymentPort: 0,
    carrierPort: 0,
    dataDir,
    backoff: { baseMs: 50, maxMs: 200 },
    logger: pino({ level: "silent" }),
    functionLogStream: logStream,
    env: { PATH: process.env.PATH },
    ...overrides,
  });
  return Object.assign(emulator, {
    functionLogs: () => Buffer.concat(chunks).toString("utf8"),
    stop: async () => {
      await emulator.close();
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** Polls `read` until `done` is true or `timeoutMs` passes, and returns the last value. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

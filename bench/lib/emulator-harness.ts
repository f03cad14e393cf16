import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import pino from "pino";
import {
  type Emulator,
  type EmulatorOptions,
  startEmulator,
} from "../../emulator/emulator";
import { ROOT } from "./paths";

/**
 * Instances per function in every scenario: one per core. On a 2-core
 * machine, 4 create-order instances spent about 40% more CPU per order than
 * 2 (lock waits and context switches) and accepted fewer orders per second.
 */
export const MAX_INSTANCES = availableParallelism();

/** Order statuses after which the pipeline does nothing more. */
export const FINAL_STATUSES = ["shipped", "payment_failed", "refunded"];

export interface BenchEmulator extends Emulator {
  /**
   * Count of log lines per `msg`, warnings and errors only, of the
   * functions and of the emulator itself (dispatcher retries, dead letters).
   */
  logCounts(): Record<string, number>;
  /** Opens (once) the functions' order store, orders.db, for reading. */
  orders(): Database.Database;
  stop(): Promise<void>;
}

/** Creates a stream that counts JSON log lines by their `msg` field and drops them. */
function countingStream(counts: Record<string, number>): Writable {
  let rest = "";
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (rest + chunk.toString("utf8")).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        const match = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line);
        const key = match ? (match[1] as string) : "(not JSON)";
        counts[key] = (counts[key] ?? 0) + 1;
      }
      done();
    },
  });
}

/**
 * Starts the emulator in this process on ephemeral ports with a fresh data
 * folder. Function logs are at `warn`; they and the emulator's own
 * warnings are counted and dropped.
 */
export async function startBenchEmulator(
  overrides: Partial<EmulatorOptions> = {},
): Promise<BenchEmulator> {
  const dataDir = mkdtempSync(join(tmpdir(), "scf-bench-"));
  const counts: Record<string, number> = {};
  const functionLogs = countingStream(counts);

  const emulator = await startEmulator({
    root: ROOT,
    port: 0,
    apiPort: 0,
    paymentPort: 0,
    carrierPort: 0,
    dataDir,
    logger: pino({ level: "warn" }, countingStream(counts)),
    functionLogStream: functionLogs,
    envOverrides: { LOG_LEVEL: "warn" },
    env: { PATH: process.env.PATH },
    maxInstances: MAX_INSTANCES,
    ...overrides,
  });

  // Opened on first use: the first function instance creates the file and
  // its schema at cold start.
  let orders: Database.Database | undefined;
  const openOrders = () => {
    if (!orders) {
      orders = new Database(join(dataDir, "orders.db"), {
        readonly: true,
        fileMustExist: true,
      });
      orders.pragma("busy_timeout = 5000");
    }
    return orders;
  };

  return Object.assign(emulator, {
    orders: openOrders,
    logCounts: () => ({ ...counts }),
    stop: async () => {
      orders?.close();
      await emulator.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** Counts orders per status in the emulator's order store. */
export function orderStatusCounts(
  emulator: BenchEmulator,
): Record<string, number> {
  const rows = emulator
    .orders()
    .prepare("SELECT status, COUNT(*) AS n FROM orders GROUP BY status")
    .all() as Array<{ status: string; n: number }>;
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

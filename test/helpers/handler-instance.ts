/**
 * Builds function instances for in-process handler tests: a real SQLite
 * order store in a temp folder, configuration parsed by `loadConfig` from
 * an explicit environment, and a logger whose JSON lines are kept in
 * memory. Nothing reads `process.env`, and the instance has a publisher
 * only when the environment names a cloud API.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import {
  startCarrierSandbox,
  type SandboxServer,
} from "../../emulator/sandbox/carrier-api";
import { startPaymentSandbox } from "../../emulator/sandbox/payment-api";
import { type ConfigPart, loadConfig } from "../../src/config/config";
import { createLogger, type Logger } from "../../src/logging/logger";
import { CmqPublisher } from "../../src/messaging/cmq-publisher";
import { PaymentClient } from "../../src/payments/payment-client";
import type { Instance } from "../../src/runtime/instance";
import { CarrierClient } from "../../src/shipping/carrier-client";
import { SqliteOrderStore } from "../../src/storage/sqlite";

/** Row counts of the order store's tables. */
export interface TableCounts {
  orders: number;
  orderHistory: number;
  outbox: number;
  idempotencyKeys: number;
  deadLetters: number;
}

export interface TestInstance extends Instance {
  dir: string;
  dbPath: string;
  /** Everything the instance logged, as JSON lines. */
  logText(): string;
  clearLogs(): void;
  /** Counts rows through a second connection to the SQLite file. */
  counts(): TableCounts;
  /** Returns the `payload` column of every dead letter. */
  deadLetterPayloads(): string[];
  /** Deletes every dead letter, so the next check starts from none. */
  clearDeadLetters(): void;
  close(): Promise<void>;
}

export interface TestInstanceOptions {
  functionName?: string;
  /** Parts `loadConfig` requires; `publisher` needs TENCENTCLOUD_* and TDMQ_API_URL in `env`. */
  parts?: ConfigPart[];
  /** Variables on top of DATABASE_URL and LOG_LEVEL=debug. */
  env?: Record<string, string>;
}

/** Creates an instance on a fresh SQLite file; `close()` deletes the folder. */
export function createTestInstance(
  options: TestInstanceOptions = {},
): TestInstance {
  const dir = mkdtempSync(join(tmpdir(), "handler-instance-"));
  const dbPath = join(dir, "orders.db");
  const config = loadConfig(options.parts ?? [], {
    DATABASE_URL: `sqlite:${dbPath}`,
    LOG_LEVEL: "debug",
    ...options.env,
  });

  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const logger = createLogger(
    { function: options.functionName ?? "test-function" },
    destination,
  );
  // createLogger takes its level from process.env; the instance uses its own config.
  logger.level = config.logLevel;

  const store = new SqliteOrderStore(dbPath);
  const publisher = config.publisher
    ? new CmqPublisher(config.publisher)
    : undefined;
  let migrated: Promise<void> | undefined;
  const ready = (): Promise<void> => {
    migrated ??= store.migrate();
    return migrated;
  };

  let reader: Database.Database | undefined;
  const db = (): Database.Database => {
    reader ??= new Database(dbPath);
    return reader;
  };
  const count = (table: string): number =>
    (db().prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number })
      .n;

  return {
    config,
    logger,
    store,
    publisher,
    ready,
    dir,
    dbPath,
    logText: () => chunks.join(""),
    clearLogs: () => {
      chunks.length = 0;
    },
    counts: () => ({
      orders: count("orders"),
      orderHistory: count("order_history"),
      outbox: count("outbox"),
      idempotencyKeys: count("idempotency_keys"),
      deadLetters: count("dead_letters"),
    }),
    deadLetterPayloads: () =>
      db()
        .prepare("SELECT payload FROM dead_letters")
        .all()
        .map((row) => (row as { payload: string }).payload),
    clearDeadLetters: () => {
      db().prepare("DELETE FROM dead_letters").run();
    },
    close: async () => {
      reader?.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The payment and carrier sandboxes with clients of both. */
export interface TestProviders {
  payment: SandboxServer;
  carrier: SandboxServer;
  payments: PaymentClient;
  carriers: CarrierClient;
  paymentApiKey: string;
  carrierApiKey: string;
  close(): Promise<void>;
}

/**
 * Starts both sandboxes on ephemeral 127.0.0.1 ports with ledgers in a temp
 * folder. `maxAttempts` applies to both clients (default 3, as deployed),
 * and `logger` receives their retry warnings.
 */
export async function startTestProviders(
  options: { maxAttempts?: number; logger?: Logger } = {},
): Promise<TestProviders> {
  const dir = mkdtempSync(join(tmpdir(), "handler-providers-"));
  const paymentApiKey = "sk_test_handler_payment";
  const carrierApiKey = "ck_test_handler_carrier";
  const payment = await startPaymentSandbox({
    port: 0,
    dbPath: join(dir, "payment.db"),
    apiKey: paymentApiKey,
  });
  const carrier = await startCarrierSandbox({
    port: 0,
    dbPath: join(dir, "carrier.db"),
    apiKey: carrierApiKey,
  });
  const common = {
    timeoutMs: 2_000,
    maxAttempts: options.maxAttempts,
    logger: options.logger,
  };
  return {
    payment,
    carrier,
    payments: new PaymentClient({
      baseUrl: payment.url,
      apiKey: paymentApiKey,
      ...common,
    }),
    carriers: new CarrierClient({
      baseUrl: carrier.url,
      apiKey: carrierApiKey,
      ...common,
    }),
    paymentApiKey,
    carrierApiKey,
    close: async () => {
      await payment.close();
      await carrier.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { constants } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import {
  parseAssignments,
  parsePort,
  parsePositive,
  UsageError,
} from "../cli-args";
import { type Emulator, startEmulator } from "../emulator";
import { checkConfigFile } from "./check-config";

export const START_HELP = `Usage: npm start -- [options]

Runs the pipeline locally: HTTP triggers, the Tencent Cloud API (TDMQ CMQ),
CMQ topic and timer triggers, and sandbox payment and carrier APIs.

Options:
  --port N            HTTP trigger port (default: PORT or 3000; 0 = any free port)
  --api-port N        Tencent Cloud API port (default: port + 1)
  --payment-port N    sandbox payment API port (default: port + 2)
  --carrier-port N    sandbox carrier API port (default: port + 3)
  --data-dir DIR      where the SQLite files live (default: .scf-local)
  --dist              run the bundles from \`npm run build\` instead of the source
  --config FILE       serverless.yml to load (default: ./serverless.yml)
  -e, --env KEY=VALUE set a variable on every function (repeatable)
  --max-instances N   instances per function (default: 4)
  --retry-base-ms N   delay before the first retry of a failed invocation (default: 1000)
  --duplicate-deliveries  deliver every CMQ message twice (tests idempotency)
  --reorder-deliveries    deliver queued CMQ messages in random order

Ctrl+C (SIGINT) or SIGTERM stops accepting connections and lets HTTP requests
in progress finish, for up to the longest HTTP function timeout plus 1 s; a
second signal stops at once (exit code 130 or 143).
`;

function printBanner(emulator: Emulator, root: string): void {
  const lines = ["SCF emulator ready", "", "HTTP triggers:"];
  for (const route of emulator.routes) {
    lines.push(
      `  ${route.method.padEnd(6)} ${emulator.httpUrl}${route.path}  -> ${route.functionKey}`,
    );
  }
  for (const trigger of emulator.config.functionUrls) {
    lines.push(
      `  ANY    ${emulator.httpUrl}/${trigger.functionKey}/  -> ${trigger.functionKey} (its Function URL)`,
    );
  }
  lines.push("", "CMQ topic triggers:");
  for (const trigger of emulator.config.cmqTriggers) {
    const state = trigger.enabled ? "" : "  (disabled: add enable: true)";
    lines.push(`  ${trigger.topicName} -> ${trigger.functionKey}${state}`);
  }
  lines.push("", "Timer triggers:");
  for (const timer of emulator.config.timers) {
    const state = timer.enabled ? "" : "  (disabled: add enable: true)";
    lines.push(
      `  ${timer.name} "${timer.cronExpression}" -> ${timer.functionKey}${state}`,
    );
  }
  lines.push(
    "",
    `Tencent Cloud API:  ${emulator.services.cloudApiUrl}  (TDMQ CMQ actions, TC3-HMAC-SHA256)`,
    `  SecretId ${emulator.services.credentials.secretId}`,
    `Payment sandbox:    ${emulator.services.paymentUrl}  (tokens tok_ok, tok_declined, tok_flaky)`,
    `Carrier sandbox:    ${emulator.services.carrierUrl}`,
    `  Ledgers: GET /v1/ledger on either, with "Authorization: Bearer <key>"`,
    `  payment key ${emulator.services.paymentApiKey}, carrier key ${emulator.services.carrierApiKey}`,
    `Data:               ${relative(root, emulator.dataDir) || "."}/ (messages.db, orders.db, *-sandbox.db)`,
  );
  if (emulator.resumed > 0)
    lines.push(`Resumed ${emulator.resumed} undelivered messages.`);
  lines.push("", "Press Ctrl+C to stop.", "");
  process.stdout.write(`${lines.join("\n")}\n`);
}

/**
 * Creates the emulator's own logger in the functions' format (src/logging),
 * with level names and ISO times, so that one filter reads both.
 */
function emulatorLogger(level: string) {
  return pino({
    level,
    base: {},
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** Adds the likely cause and the fix to a port conflict. */
async function withPortHint<T>(start: Promise<T>): Promise<T> {
  try {
    return await start;
  } catch (error) {
    const { code, port } = error as { code?: string; port?: number };
    if (code !== "EADDRINUSE") throw error;
    throw new UsageError(
      `port ${port} on 127.0.0.1 is in use. The emulator takes PORT (HTTP) and ` +
        "the next three ports (cloud API, payment and carrier sandboxes); stop " +
        "the other process or choose another --port (0 picks free ports)",
    );
  }
}

/** Runs `start`: the emulator until SIGINT or SIGTERM. */
export async function runStart(argv: string[], root: string): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      "api-port": { type: "string" },
      "payment-port": { type: "string" },
      "carrier-port": { type: "string" },
      "data-dir": { type: "string", default: ".scf-local" },
      dist: { type: "boolean", default: false },
      config: { type: "string" },
      env: { type: "string", short: "e", multiple: true },
      "max-instances": { type: "string" },
      "retry-base-ms": { type: "string" },
      "duplicate-deliveries": { type: "boolean", default: false },
      "reorder-deliveries": { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(START_HELP);
    return;
  }

  const port = parsePort(values.port ?? process.env.PORT, "--port", 3000);
  const next = (offset: number) => (port === 0 ? 0 : port + offset);
  const retryBaseMs = parsePositive(
    values["retry-base-ms"],
    "--retry-base-ms",
    1000,
  );
  const configFile = values.config ?? join(root, "serverless.yml");
  const warnings = checkConfigFile(configFile);
  if (warnings > 0) {
    process.stderr.write(
      `${relative(process.cwd(), configFile)}: ${warnings} warning(s); npm run validate lists them\n`,
    );
  }
  const emulator = await withPortHint(
    startEmulator({
      root,
      configFile,
      port,
      apiPort: parsePort(values["api-port"], "--api-port", next(1)),
      paymentPort: parsePort(values["payment-port"], "--payment-port", next(2)),
      carrierPort: parsePort(values["carrier-port"], "--carrier-port", next(3)),
      dataDir: values["data-dir"],
      dist: values.dist,
      envOverrides: parseAssignments(values.env, "--env"),
      maxInstances: parsePositive(
        values["max-instances"],
        "--max-instances",
        4,
      ),
      backoff: { baseMs: retryBaseMs, maxMs: Math.max(60_000, retryBaseMs) },
      faults: {
        duplicateDeliveries: values["duplicate-deliveries"],
        reorderDeliveries: values["reorder-deliveries"],
      },
      logger: emulatorLogger(process.env.LOG_LEVEL ?? "info"),
    }),
  );
  printBanner(emulator, root);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stdout.write(
        `\n${signal} again: stopping at once; requests and invocations in progress are cut off, ` +
          "and undelivered messages stay stored for the next start\n",
      );
      process.exit(128 + constants.signals[signal]);
    }
    stopping = true;
    const seconds = Math.ceil(emulator.httpDrainTimeoutMs / 1000);
    const again = signal === "SIGINT" ? "Ctrl+C" : signal;
    process.stdout.write(
      `\n${signal}: stopping; HTTP requests in progress get up to ${seconds} s to finish ` +
        `(${again} again stops at once); undelivered messages stay stored for the next start\n`,
    );
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `error while stopping: ${(error as Error).message}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { bundleFunctions } from "../../scripts/bundle-functions";
import { parseAssignments, UsageError } from "../cli-args";
import { loadServerlessConfig } from "../config/serverless-config";
import { localVariables } from "../local-environment";
import { MAX_REQUEST_BYTES } from "../http/trigger-server";
import { ensureSubscriptions, startLocalServices } from "../local-services";
import { readRunningState } from "../state-file";
import { FunctionPool } from "../runtime/function-pool";
import { functionSpecOf, requireHandlerFile } from "../runtime/function-spec";

export const INVOKE_HELP = `Usage: npm run invoke -- -f FUNCTION (-p FILE | -d JSON) [options]

Invokes one function once with an event, as SCF would, and prints its
result as JSON on stdout; logs go to stderr. Exits 1 when the handler
throws or times out, 2 on bad arguments or an unreadable event. One of
-p and -d is required; -d '{}' gives an empty event.

Options:
  -f, --function NAME   function key in serverless.yml (required)
  -p, --path FILE       event JSON file of at most 6 MB, such as
                        events/create-order.apigw.json
  -d, --data JSON       event JSON text
  -e, --env KEY=VALUE   set a variable after serverless.yml's (repeatable)
  --context JSON        fields that replace those of SCF's context object
  --dist                run the bundle from \`npm run build\`
  --config FILE         serverless.yml to load (default: ./serverless.yml)
  --data-dir DIR        where the SQLite files live (default: .scf-local)
`;

/**
 * SCF's limit on a synchronous invocation's event ("Sync request event
 * size: 6 MB" at https://intl.cloud.tencent.com/document/product/583/11637).
 * The same page limits asynchronous events (CMQ topics, timers) to 128 KB,
 * but invoke applies the synchronous limit to every function.
 * NOTE: whether SCF's "6 MB" is 6 * 1024 * 1024 bytes, as used here, or
 * 6,000,000 bytes is not confirmed.
 */
export const MAX_EVENT_BYTES = MAX_REQUEST_BYTES;

/**
 * Maximum nesting depth of an event or --context object. The event goes to
 * the worker thread by structured clone, which overflows the call stack at
 * about 3,500 levels (measured on Node 20.20), so invoke stops well below.
 * NOTE: SCF documents no nesting limit of its own.
 */
export const MAX_EVENT_DEPTH = 1000;

function parseJson(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${what} is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (nestsDeeperThan(value, MAX_EVENT_DEPTH)) {
    throw new UsageError(
      `${what} nests deeper than ${MAX_EVENT_DEPTH} levels, the maximum that invoke passes to a function`,
    );
  }
  return value;
}

/**
 * Reports whether arrays and objects in `value` nest more than `maxDepth`
 * levels. It walks with its own stack, so a deep value cannot overflow the
 * call stack here.
 */
function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [
    { value, depth: 0 },
  ];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.value === null || typeof next.value !== "object") continue;
    const depth = next.depth + 1;
    if (depth > maxDepth) return true;
    for (const child of Object.values(next.value))
      pending.push({ value: child, depth });
  }
  return false;
}

function cannotRead(path: string, error: unknown): UsageError {
  const reason =
    (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new UsageError(`cannot read event file ${path}: ${reason}`);
}

function tooLarge(path: string): UsageError {
  return new UsageError(
    `event file ${path} is larger than ${MAX_EVENT_BYTES} bytes (6 MB, SCF's limit on a synchronous invocation's event)`,
  );
}

/**
 * Reads an event file of at most MAX_EVENT_BYTES. Devices, pipes and FIFOs
 * report no size, so it reads at most one byte past the limit and never
 * reads an endless source such as /dev/zero to its end.
 */
async function readEventFile(path: string): Promise<string> {
  let file: FileHandle;
  try {
    file = await open(path, "r");
  } catch (error) {
    throw cannotRead(path, error);
  }
  try {
    const stats = await file.stat();
    if (stats.isFile() && stats.size > MAX_EVENT_BYTES) throw tooLarge(path);

    const buffer = Buffer.alloc(MAX_EVENT_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await file.read(
        buffer,
        length,
        buffer.length - length,
        null,
      );
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_EVENT_BYTES) throw tooLarge(path);
    return buffer.toString("utf8", 0, length);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw cannotRead(path, error);
  } finally {
    await file.close();
  }
}

async function readEvent(
  path: string | undefined,
  data: string | undefined,
): Promise<unknown> {
  if (path !== undefined && data !== undefined)
    throw new UsageError("give the event with -p or -d, not both");
  if (data !== undefined) return parseJson(data, "-d");
  if (path === undefined) {
    throw new UsageError(
      "missing the event: give -p FILE or -d JSON (-d '{}' for an empty event); see --help",
    );
  }
  return parseJson(await readEventFile(path), `event file ${path}`);
}

/**
 * Runs `invoke`. The handler runs in a worker thread with its serverless.yml
 * environment, against the local cloud API and sandboxes started for the
 * call. Messages it publishes are stored and delivered by the next `start`.
 * Returns the exit code.
 */
export async function runInvoke(argv: string[], root: string): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      function: { type: "string", short: "f" },
      path: { type: "string", short: "p" },
      data: { type: "string", short: "d" },
      env: { type: "string", short: "e", multiple: true },
      context: { type: "string" },
      dist: { type: "boolean", default: false },
      config: { type: "string" },
      "data-dir": { type: "string", default: ".scf-local" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(INVOKE_HELP);
    return 0;
  }
  if (!values.function) throw new UsageError("missing -f FUNCTION; see --help");

  const event = await readEvent(values.path, values.data);
  const context =
    values.context === undefined ? {} : parseJson(values.context, "--context");
  if (
    context === null ||
    typeof context !== "object" ||
    Array.isArray(context)
  ) {
    throw new UsageError("--context must be a JSON object");
  }
  const overrides = parseAssignments(values.env, "--env");

  const dataDir = resolve(values["data-dir"]);
  const configFile = resolve(values.config ?? join(root, "serverless.yml"));
  if (!existsSync(configFile))
    throw new UsageError(`config file not found: ${configFile}`);
  const emulator = readRunningState(dataDir);
  if (emulator) {
    process.stderr.write(
      `note: an emulator (pid ${emulator.pid}) runs on ${dataDir}; messages this ` +
        "invoke publishes are stored there but delivered only when it next starts. " +
        `To run the whole pipeline, send the request to ${emulator.httpUrl} instead.\n`,
    );
  }
  const logger = pino({ level: "warn", base: {} }, pino.destination(2));
  const running = await startLocalServices(
    dataDir,
    { apiPort: 0, paymentPort: 0, carrierPort: 0 },
    logger,
  );
  const buildDir = values.dist
    ? undefined
    : mkdtempSync(join(tmpdir(), "scf-invoke-"));
  try {
    const config = loadServerlessConfig(
      configFile,
      localVariables(running.services, dataDir, process.env),
    );
    // A fresh data folder has no topics yet. Creating them as start does
    // stores what the function publishes for the next start to deliver.
    ensureSubscriptions(running.store, config, logger);
    const fn = config.functions.get(values.function);
    if (!fn) {
      throw new UsageError(
        `function "${values.function}" is not in serverless.yml; known: ${[...config.functions.keys()].join(", ")}`,
      );
    }
    if (buildDir) await bundleFunctions(root, buildDir, { keys: [fn.key] });

    const spec = functionSpecOf(
      fn,
      buildDir ?? config.srcDir,
      running.services,
      overrides,
    );
    try {
      requireHandlerFile(spec, values.dist);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const pool = new FunctionPool(spec, {
      maxInstances: 1,
      logStream: process.stderr,
      region: config.region,
      modulePaths: [join(root, "node_modules")],
    });
    const result = await pool.invoke(
      event,
      undefined,
      context as Record<string, unknown>,
    );
    await pool.close();

    if (result.ok) {
      process.stdout.write(`${JSON.stringify(result.value, null, 2)}\n`);
      return 0;
    }
    process.stderr.write(
      `${JSON.stringify({ ...result.error, requestId: result.requestId }, null, 2)}\n`,
    );
    return 1;
  } finally {
    await running.close();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  }
}

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { bundleFunctions } from "../../scripts/bundle-functions";
import { parseAssignments, UsageError } from "../cli-args";
import { loadServerlessConfig } from "../config/serverless-config";
import { localVariables } from "../local-environment";
import { startLocalServices } from "../local-services";
import { readRunningState } from "../state-file";
import { FunctionPool } from "../runtime/function-pool";
import { functionSpecOf, requireHandlerFile } from "../runtime/function-spec";

export const INVOKE_HELP = `Usage: npm run invoke -- -f FUNCTION (-p FILE | -d JSON) [options]

Invokes one function once with an event, as SCF would, and prints its
result as JSON on stdout; logs go to stderr. Exits 1 when the handler
throws or times out, 2 on bad arguments or an unreadable event.

Options:
  -f, --function NAME   function key in serverless.yml (required)
  -p, --path FILE       event JSON file, such as events/create-order.apigw.json
  -d, --data JSON       event JSON text
  -e, --env KEY=VALUE   set a variable after serverless.yml's (repeatable)
  --context JSON        fields that replace those of SCF's context object
  --dist                run the bundle from \`npm run build\`
  --config FILE         serverless.yml to load (default: ./serverless.yml)
  --data-dir DIR        where the SQLite files live (default: .scf-local)
`;

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${what} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function readEvent(
  path: string | undefined,
  data: string | undefined,
): unknown {
  if (path !== undefined && data !== undefined)
    throw new UsageError("give the event with -p or -d, not both");
  if (data !== undefined) return parseJson(data, "-d");
  if (path === undefined) return {};

  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read event file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parseJson(text, `event file ${path}`);
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

  const event = readEvent(values.path, values.data);
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

import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pool } from "pg";
import pino from "pino";
import { loadServerlessConfig } from "../../emulator/config/serverless-config";
import { localVariables } from "../../emulator/local-environment";
import {
  type RunningServices,
  startLocalServices,
} from "../../emulator/local-services";
import { functionSpecOf } from "../../emulator/runtime/function-spec";
import { bundleFunctions } from "../../scripts/bundle-functions";
import { ROOT } from "../helpers/emulator";

// What a bundle loads at cold start and in its first invocation, seen from
// a plain node process as SCF runs it: no loader, CommonJS.

const SAMPLE_EVENTS: Record<string, string> = {
  "create-order": "create-order.apigw.json",
  "get-order": "get-order.apigw.json",
  "process-payment": "process-payment.cmq.json",
  "process-shipping": "process-shipping.cmq.json",
  "relay-outbox": "relay-outbox.timer.json",
};

/**
 * Requires a bundle, invokes it once when an event file is given, and
 * prints the files in require.cache and the built-in modules loaded.
 */
const CHILD = `"use strict";
const { readFileSync } = require("node:fs");
const [bundle, eventFile] = process.argv.slice(2);
async function main() {
  const handler = require(bundle).main_handler;
  let result = null;
  if (eventFile) {
    const event = JSON.parse(readFileSync(eventFile, "utf8"));
    result = await handler(event, { request_id: "loading-test", time_limit_in_ms: 10000 });
  }
  const files = Object.keys(require.cache);
  const builtins = process.moduleLoadList
    .filter((entry) => entry.startsWith("NativeModule "))
    .map((entry) => entry.slice("NativeModule ".length));
  process.stderr.write("REPORT " + JSON.stringify({ files, builtins, result }) + "\\n");
}
main().then(() => process.exit(0), (error) => {
  process.stderr.write(String(error && error.stack) + "\\n");
  process.exit(1);
});
`;

interface Report {
  files: string[];
  builtins: string[];
  result: unknown;
}

const dir = mkdtempSync(join(tmpdir(), "bundle-loading-"));
const distDir = join(dir, "dist");
const childFile = join(dir, "child.cjs");
let services: RunningServices;
let runCount = 0;

beforeAll(async () => {
  writeFileSync(childFile, CHILD);
  await bundleFunctions(ROOT, distDir, { minify: true });
  services = await startLocalServices(
    join(dir, "data"),
    { apiPort: 0, paymentPort: 0, carrierPort: 0 },
    pino({ level: "silent" }),
  );
  services.store.createTopic("order-created");
  services.store.createTopic("order-paid");
}, 60_000);

afterAll(async () => {
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Returns the function's serverless.yml environment with local service URLs. */
function environmentOf(functionKey: string): Record<string, string> {
  const config = loadServerlessConfig(
    join(ROOT, "serverless.yml"),
    localVariables(services.services, join(dir, "data"), {
      PATH: process.env.PATH,
    }),
  );
  const fn = config.functions.get(functionKey);
  if (!fn) throw new Error(`serverless.yml has no function ${functionKey}`);
  return functionSpecOf(fn, distDir, services.services, {
    LOG_LEVEL: "silent",
  }).environment;
}

/**
 * Runs the bundle of `functionKey` in a fresh node process. It is run
 * asynchronously because the services it calls share this process.
 */
function runBundle(
  functionKey: string,
  databaseUrl: string,
  eventName?: string,
): Promise<Report> {
  const args = [
    childFile,
    join(distDir, functionKey, "index.js"),
    ...(eventName ? [join(ROOT, "events", eventName)] : []),
  ];
  const env = {
    PATH: process.env.PATH ?? "",
    NODE_PATH: join(ROOT, "node_modules"),
    ...environmentOf(functionKey),
    DATABASE_URL: databaseUrl,
  };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { env, encoding: "utf8", timeout: 20_000 },
      (error, _stdout, stderr) => {
        const line = stderr
          .split("\n")
          .find((text) => text.startsWith("REPORT "));
        if (error || !line) {
          reject(
            new Error(
              `bundle ${functionKey} failed: ${error?.message} ${stderr}`,
            ),
          );
          return;
        }
        resolve(JSON.parse(line.slice("REPORT ".length)) as Report);
      },
    );
  });
}

function freshSqliteUrl(): string {
  runCount += 1;
  return `sqlite:${join(dir, "data", `orders-${runCount}.db`)}`;
}

/** Lists the bundle's own files that were loaded, by name. */
function bundleFiles(report: Report, functionKey: string): string[] {
  const folder = join(distDir, functionKey);
  return report.files
    .filter((file) => file.startsWith(`${folder}/`))
    .map((file) => file.slice(folder.length + 1))
    .sort();
}

describe("bundle loading", () => {
  test.each(Object.entries(SAMPLE_EVENTS))(
    "%s on SQLite never loads pg.js",
    async (functionKey, eventName) => {
      const report = await runBundle(functionKey, freshSqliteUrl(), eventName);

      expect(report.result).not.toBeNull();
      expect(bundleFiles(report, functionKey)).toEqual([
        "better-sqlite3.js",
        "index.js",
      ]);
    },
  );

  test.each(Object.entries(SAMPLE_EVENTS))(
    "%s with http endpoints loads no https or worker_threads",
    async (functionKey, eventName) => {
      const report = await runBundle(functionKey, freshSqliteUrl(), eventName);

      expect(report.builtins).not.toContain("https");
      expect(report.builtins).not.toContain("tls");
      expect(report.builtins).not.toContain("worker_threads");
    },
  );

  test("create-order publishes through the shimmed SDK", async () => {
    const before = services.store.counts().messages;

    const report = await runBundle(
      "create-order",
      freshSqliteUrl(),
      "create-order.apigw.json",
    );

    expect((report.result as { statusCode: number }).statusCode).toBe(202);
    expect(services.store.counts().messages).toBe(before + 1);
  });

  test("postgres URL loads pg.js, not SQLite", async () => {
    // The pool connects on the first query, so requiring needs no server.
    const report = await runBundle(
      "get-order",
      "postgres://postgres@127.0.0.1:1/unused",
    );

    expect(bundleFiles(report, "get-order")).toEqual(["index.js", "pg.js"]);
  });
});

const postgresUrl = process.env.DATABASE_URL ?? "";
if (!/^postgres(ql)?:/.test(postgresUrl)) {
  const reason =
    "bundle on PostgreSQL skipped: set DATABASE_URL=postgres://user@host:5432/db to run it";
  console.warn(reason);
  test.skip(reason, () => undefined);
} else {
  test("get-order bundle queries PostgreSQL through pg.js", async () => {
    // A schema of its own, chosen through the connection's search_path.
    const admin = new Pool({ connectionString: postgresUrl, max: 1 });
    const schema = `bundle_${randomUUID().replace(/-/g, "")}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      const url = new URL(postgresUrl);
      url.searchParams.set("options", `-c search_path=${schema}`);

      const report = await runBundle(
        "get-order",
        url.toString(),
        "get-order.apigw.json",
      );

      expect(bundleFiles(report, "get-order")).toEqual(["index.js", "pg.js"]);
      expect((report.result as { statusCode: number }).statusCode).toBe(404);
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });
}

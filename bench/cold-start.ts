// Cold start: bundle sizes from `npm run build`, and the median time of
// require + first invocation over fresh node processes, next to the same
// handlers bundled with the SDK's root import.
import { execFileSync, fork } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { build, type Plugin } from "esbuild";
import pino from "pino";
import { loadServerlessConfig } from "../emulator/config/serverless-config";
import { localVariables } from "../emulator/local-environment";
import { startLocalServices } from "../emulator/local-services";
import { functionSpecOf } from "../emulator/runtime/function-spec";
import {
  bundleDrivers,
  functionBuildOptions,
  functionKeys,
} from "../scripts/bundle-functions";
import { createEnvelope } from "../src/messaging/envelope";
import { outboxMessageOf } from "../src/messaging/outbox";
import { SqliteOrderStore } from "../src/storage/sqlite";
import { parseBenchArgs } from "./lib/args";
import { log } from "./lib/log";
import { ROOT } from "./lib/paths";
import type { ColdStartEntry } from "./lib/result-types";
import { writeSection } from "./lib/results";
import { median, round } from "./lib/stats";

const USAGE = `Usage: npx tsx bench/cold-start.ts [--quick]

Runs npm run build, then for every bundle measures its size and the median
over fresh node processes of require + first invocation with its sample
event; does the same for the handlers that use the Tencent Cloud SDK
bundled with the SDK's root import. Writes the coldStart section of
docs/benchmarks.json and docs/benchmarks.md.
`;

/** The sample event each function gets, from events/. */
const EVENTS: Record<string, string> = {
  "create-order": "create-order.apigw.json",
  "get-order": "get-order.apigw.json",
  "process-payment": "process-payment.cmq.json",
  "process-shipping": "process-shipping.cmq.json",
  "relay-outbox": "relay-outbox.timer.json",
};

/** The order id the sample events refer to. */
const SAMPLE_ORDER_ID = "ord_sample";
const DEEP_IMPORT = /^tencentcloud-sdk-nodejs\/tencentcloud\/services\/tdmq$/;

interface Sample {
  requireMs: number;
  invokeMs: number;
  result: string;
}

/**
 * Creates two migrated order stores holding the sample order: one with it
 * `pending` and an unsent outbox row an hour old (for create-order,
 * get-order, process-payment and relay-outbox), one with it `paid` (for
 * process-shipping).
 */
async function seedStores(
  dir: string,
): Promise<{ pending: string; paid: string }> {
  const hourAgo = new Date(Date.now() - 3_600_000);
  const seed = async (file: string, paid: boolean) => {
    const store = new SqliteOrderStore(file);
    const envelope = createEnvelope(
      "order.created",
      SAMPLE_ORDER_ID,
      { totalAmount: 9600, currency: "CNY" },
      hourAgo,
    );
    await store.createOrder(
      {
        orderId: SAMPLE_ORDER_ID,
        customerId: "c-1001",
        currency: "CNY",
        items: [{ sku: "TEA-250G", quantity: 2, unitPrice: 4800 }],
        totalAmount: 9600,
        shippingAddress: {
          name: "Test Customer",
          line1: "1 Example Rd",
          city: "Shenzhen",
          postalCode: "518000",
          country: "CN",
        },
        paymentToken: "tok_ok",
        createdAt: hourAgo.toISOString(),
      },
      [outboxMessageOf(envelope, "order-created")],
    );
    if (paid) {
      await store.transition({
        orderId: SAMPLE_ORDER_ID,
        to: "paid",
        at: new Date().toISOString(),
        patch: { paymentReference: "ch_sample" },
      });
    }
    // Folds the WAL into the file, so that one copied file is the whole store.
    await store.close();
  };
  const pending = join(dir, "pending.db");
  const paid = join(dir, "paid.db");
  await seed(pending, false);
  await seed(paid, true);
  return { pending, paid };
}

/** Bundles `key` like npm run build, but with the SDK's deep import rewritten to the package root. */
async function buildRootImportVariant(
  key: string,
  outDir: string,
): Promise<string | undefined> {
  let rewritten = false;
  const rootImport: Plugin = {
    name: "sdk-root-import",
    setup(builder) {
      builder.onResolve({ filter: DEEP_IMPORT }, () => {
        rewritten = true;
        return { path: "tdmq-from-root", namespace: "sdk-root-import" };
      });
      builder.onLoad({ filter: /.*/, namespace: "sdk-root-import" }, () => ({
        contents: 'export { tdmq } from "tencentcloud-sdk-nodejs";',
        resolveDir: ROOT,
        loader: "js",
      }));
    },
  };
  const file = join(outDir, key, "index.js");
  await build(
    functionBuildOptions(ROOT, key, file, {
      minify: true,
      plugins: [rootImport],
    }),
  );
  await bundleDrivers(ROOT, dirname(file), true);
  return rewritten ? file : undefined;
}

/** Runs one fresh node process that requires `bundle` and invokes it once. */
function measureOnce(
  bundle: string,
  eventFile: string,
  env: Record<string, string>,
): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = fork(
      join(__dirname, "lib", "cold-start-child.cjs"),
      [bundle, eventFile],
      { execArgv: [], env, stdio: ["ignore", "ignore", "pipe", "ipc"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    let report: (Sample & { error?: string }) | undefined;
    child.on("message", (message) => {
      report = message as Sample & { error?: string };
    });
    child.on("error", reject);
    child.on("exit", () => {
      if (report && !report.error) resolve(report);
      else
        reject(
          new Error(
            `cold start of ${bundle} failed: ${report?.error ?? stderr.slice(0, 2000)}`,
          ),
        );
    });
  });
}

async function main(): Promise<void> {
  const { quick } = parseBenchArgs(USAGE);
  const runs = quick ? 3 : 20;

  log("cold-start", "npm run build");
  execFileSync("npm", ["run", "--silent", "build"], {
    cwd: ROOT,
    stdio: "inherit",
  });

  const workDir = mkdtempSync(join(tmpdir(), "bench-cold-"));
  const services = await startLocalServices(
    join(workDir, "services"),
    { apiPort: 0, paymentPort: 0, carrierPort: 0 },
    pino({ level: "silent" }),
  );
  try {
    services.store.createTopic("order-created");
    services.store.createTopic("order-paid");
    const templates = await seedStores(workDir);
    const config = loadServerlessConfig(
      join(ROOT, "serverless.yml"),
      localVariables(services.services, workDir, { PATH: process.env.PATH }),
    );
    const distDir = join(ROOT, "dist");
    const variantDir = join(workDir, "root-import");

    const keys = functionKeys(ROOT).filter((key) => EVENTS[key]);
    const targets: Array<{
      key: string;
      bundle: string;
      variant?: string;
      env: Record<string, string>;
    }> = [];
    for (const key of keys) {
      const fn = config.functions.get(key);
      if (!fn) throw new Error(`function ${key} is not in serverless.yml`);
      const spec = functionSpecOf(fn, distDir, services.services);
      targets.push({
        key,
        bundle: spec.file,
        variant: await buildRootImportVariant(key, variantDir),
        env: {
          PATH: process.env.PATH ?? "",
          NODE_PATH: join(ROOT, "node_modules"),
          SCF_FUNCTIONNAME: key,
          ...spec.environment,
        },
      });
    }

    const samples = new Map<string, Sample[]>();
    const record = (name: string, sample: Sample) => {
      samples.set(name, [...(samples.get(name) ?? []), sample]);
    };
    for (let run = 0; run < runs; run += 1) {
      for (const target of targets) {
        const eventFile = join(ROOT, "events", EVENTS[target.key] as string);
        // Each process gets its own copy of the seeded store.
        const template =
          target.key === "process-shipping"
            ? templates.paid
            : templates.pending;
        const dbFile = join(workDir, `run-${run}-${target.key}.db`);
        const env = { ...target.env, DATABASE_URL: `sqlite:${dbFile}` };

        copyFileSync(template, dbFile);
        record(target.key, await measureOnce(target.bundle, eventFile, env));
        if (target.variant) {
          // The variant gets a copy of its own: the first process leaves
          // dbFile's -wal file behind, and SQLite would replay it over a
          // fresh copy of the template.
          const variantDb = join(workDir, `run-${run}-${target.key}-root.db`);
          copyFileSync(template, variantDb);
          record(
            `${target.key}:root`,
            await measureOnce(target.variant, eventFile, {
              ...env,
              DATABASE_URL: `sqlite:${variantDb}`,
            }),
          );
        }
      }
      log("cold-start", `run ${run + 1} of ${runs} done`);
    }

    const entries: ColdStartEntry[] = targets.map((target) => {
      const own = samples.get(target.key) ?? [];
      const entry: ColdStartEntry = {
        function: target.key,
        bytes: statSync(target.bundle).size,
        medianMs: round(median(own.map((s) => s.requireMs + s.invokeMs))),
        requireMedianMs: round(median(own.map((s) => s.requireMs))),
        invokeMedianMs: round(median(own.map((s) => s.invokeMs))),
        result: own[0]?.result ?? "",
      };
      const root = samples.get(`${target.key}:root`);
      if (target.variant && root && existsSync(target.variant)) {
        entry.rootImport = {
          bytes: statSync(target.variant).size,
          medianMs: round(median(root.map((s) => s.requireMs + s.invokeMs))),
          requireMedianMs: round(median(root.map((s) => s.requireMs))),
        };
      }
      log(
        "cold-start",
        `${entry.function}: ${(entry.bytes / 1024).toFixed(0)} KB, ${entry.medianMs} ms ` +
          `(require ${entry.requireMedianMs}, first invocation ${entry.invokeMedianMs})` +
          (entry.rootImport
            ? `; root import ${(entry.rootImport.bytes / 1024).toFixed(0)} KB, ${entry.rootImport.medianMs} ms`
            : ""),
      );
      return entry;
    });
    await writeSection("coldStart", entries, quick);
  } finally {
    await services.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `cold-start benchmark failed: ${(error as Error).stack}\n`,
  );
  process.exit(1);
});

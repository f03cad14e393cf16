import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadServerlessConfig } from "../../emulator/config/serverless-config";
import { localVariables } from "../../emulator/local-environment";
import {
  type RunningServices,
  startLocalServices,
} from "../../emulator/local-services";
import { FunctionPool } from "../../emulator/runtime/function-pool";
import { functionSpecOf } from "../../emulator/runtime/function-spec";
import { bundleFunctions, functionKeys } from "../../scripts/bundle-functions";
import { ROOT } from "../helpers/emulator";

const dir = mkdtempSync(join(tmpdir(), "bundles-"));
const distDir = join(dir, "dist");
let services: RunningServices;
const pools: FunctionPool[] = [];

beforeAll(async () => {
  await bundleFunctions(ROOT, distDir, { minify: true });
  services = await startLocalServices(
    join(dir, "data"),
    { apiPort: 0, paymentPort: 0, carrierPort: 0 },
    pino({ level: "silent" }),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

function poolFor(functionKey: string): FunctionPool {
  const config = loadServerlessConfig(
    join(ROOT, "serverless.yml"),
    localVariables(services.services, join(dir, "data"), {
      PATH: process.env.PATH,
    }),
  );
  const fn = config.functions.get(functionKey);
  if (!fn) throw new Error(`serverless.yml has no function ${functionKey}`);
  const spec = functionSpecOf(fn, distDir, services.services, {
    LOG_LEVEL: "silent",
  });
  const pool = new FunctionPool(spec, {
    maxInstances: 1,
    modulePaths: [join(ROOT, "node_modules")],
  });
  pools.push(pool);
  return pool;
}

const events = readdirSync(join(ROOT, "events")).filter((name) =>
  name.endsWith(".json"),
);

describe("function bundles", () => {
  test("every function has a bundle", () => {
    const built = readdirSync(distDir).sort();

    expect(built).toEqual(functionKeys(ROOT));
  });

  test("every function has a sample event", () => {
    const covered = new Set(events.map((name) => name.split(".")[0]));

    for (const key of functionKeys(ROOT)) expect(covered).toContain(key);
  });

  test.each(events)("bundle handles %s", async (name) => {
    const functionKey = name.split(".")[0] as string;
    const event = JSON.parse(readFileSync(join(ROOT, "events", name), "utf8"));

    const result = await poolFor(functionKey).invoke(event);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    if (functionKey === "create-order") {
      expect((result.value as { statusCode: number }).statusCode).toBe(202);
    }
    if (functionKey === "get-order") {
      expect((result.value as { statusCode: number }).statusCode).toBe(404);
    }
  });
});

import { spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT } from "../helpers/emulator";

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const dir = mkdtempSync(join(tmpdir(), "deploy-test-"));
const binDir = join(dir, "bin");

const SECRET_KEY = "sk-deploy-test-secret-key-0123456789";
const DB_PASSWORD = "db-password-42";
const API_KEY = "order-api-key-0123456789abcdef";

/** Variables a complete deploy needs, with values no real account has. */
const COMPLETE: Record<string, string> = {
  TENCENT_SECRET_ID: "AKIDdeploytest0000abcd",
  TENCENT_SECRET_KEY: SECRET_KEY,
  DATABASE_URL: `postgres://app:${DB_PASSWORD}@10.0.0.5:5432/orders`,
  ORDER_API_KEYS: API_KEY,
  PAYMENT_API_URL: "https://payments.example.invalid",
  PAYMENT_API_KEY: "pk-deploy-test-0123456789",
  CARRIER_API_URL: "https://carrier.example.invalid",
  CARRIER_API_KEY: "ck-deploy-test-0123456789",
  VPC_ID: "vpc-abcd1234",
  SUBNET_ID: "subnet-abcd1234",
};

/**
 * Stand-ins for npm and npx, first on PATH, so no step reaches a network:
 * each call appends its arguments and the variables a step depends on to
 * FAKE_LOG, and exits 3 when its npm script or npx command is FAKE_FAIL.
 */
const FAKE_TOOL = `#!/bin/sh
tool=$(basename "$0")
printf '%s %s|DATABASE_URL=%s|SERVERLESS_PLATFORM_VENDOR=%s|TENCENT_SECRET_ID=%s|STAGE=%s|TDMQ_API_URL=%s|cwd=%s\\n' \\
  "$tool" "$*" "$DATABASE_URL" "$SERVERLESS_PLATFORM_VENDOR" "$TENCENT_SECRET_ID" \\
  "$STAGE" "\${TDMQ_API_URL-unset}" "$(pwd)" >> "$FAKE_LOG"
if [ "$tool" = npm ] && [ "$2" = "$FAKE_FAIL" ]; then exit 3; fi
if [ "$tool" = npx ] && [ "$3" = "$FAKE_FAIL" ]; then exit 3; fi
exit 0
`;

let runCount = 0;

/** Runs `scripts/deploy.ts` with only `env` set; returns its output and calls. */
function runDeploy(
  env: Record<string, string>,
  args: string[] = [],
): Promise<RunResult & { calls: string[] }> {
  runCount += 1;
  const log = join(dir, `calls-${runCount}.log`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(TSX, ["scripts/deploy.ts", ...args], {
      cwd: ROOT,
      env: {
        PATH: `${binDir}:${dirname(process.execPath)}`,
        FAKE_LOG: log,
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const calls = existsSync(log)
        ? readFileSync(log, "utf8").trim().split("\n")
        : [];
      resolvePromise({ code, stdout, stderr, calls });
    });
  });
}

function without(name: string): Record<string, string> {
  const env = { ...COMPLETE };
  delete env[name];
  return env;
}

beforeAll(() => {
  mkdirSync(binDir, { recursive: true });
  for (const tool of ["npm", "npx"]) {
    const file = join(binDir, tool);
    writeFileSync(file, FAKE_TOOL);
    chmodSync(file, 0o755);
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run deploy --dry-run", () => {
  let result: RunResult & { calls: string[] };

  beforeAll(async () => {
    result = await runDeploy(COMPLETE, ["--dry-run", "--stage", "test"]);
  }, 30_000);

  test("exits 0 and runs nothing", () => {
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([]);
  });

  test("prints each step in order", () => {
    const steps = result.stdout
      .split("\n")
      .filter((line) => /^\d\. /.test(line));

    expect(steps).toEqual([
      "1. build: npm run build",
      `2. validate: npm run validate -- ${join(ROOT, "serverless.yml")}`,
      "3. migrate: npm run migrate",
      "4. deploy: npx --yes @serverless/components@3.18.2 deploy --stage test",
    ]);
  });

  test("prints the resolved serverless.yml", () => {
    expect(result.stdout).toContain("stage: test");
    expect(result.stdout).toContain("vpcId: vpc-abcd1234");
    expect(result.stdout).toContain("value: https://payments.example.invalid");
    expect(result.stdout).not.toMatch(/\$\{env:[A-Z]/);
  });

  test("masks every secret", () => {
    expect(result.stdout).toContain("TENCENT_SECRET_ID=****abcd");
    expect(result.stdout).toContain("postgres://app:****@10.0.0.5:5432/orders");
    expect(result.stdout).not.toContain(SECRET_KEY);
    expect(result.stdout).not.toContain(DB_PASSWORD);
    expect(result.stdout).not.toContain(API_KEY);
    expect(result.stdout).not.toContain(COMPLETE.PAYMENT_API_KEY);
    expect(result.stdout).not.toContain(COMPLETE.CARRIER_API_KEY);
  });

  test("lists the SCF function names", () => {
    expect(result.stdout).toContain(
      "create-order -> order-pipeline-test-order-pipeline-create-order",
    );
  });
});

describe("npm run deploy", () => {
  test("runs build, validate, migrate, deploy in order", async () => {
    const result = await runDeploy(COMPLETE, ["--stage", "test"]);
    const commands = result.calls.map((call) => call.split("|")[0]);

    expect(result.code).toBe(0);
    expect(commands).toEqual([
      "npm run build",
      `npm run validate -- ${join(ROOT, "serverless.yml")}`,
      "npm run migrate",
      "npx --yes @serverless/components@3.18.2 deploy --stage test",
    ]);
  }, 30_000);

  test("passes the deploy's variables to each step", async () => {
    const result = await runDeploy(COMPLETE, ["--stage", "test"]);
    const [, , migrate, deploy] = result.calls;

    expect(migrate).toContain(`DATABASE_URL=${COMPLETE.DATABASE_URL}`);
    expect(deploy).toContain("SERVERLESS_PLATFORM_VENDOR=tencent");
    expect(deploy).toContain(`TENCENT_SECRET_ID=${COMPLETE.TENCENT_SECRET_ID}`);
    expect(deploy).toContain("STAGE=test");
    expect(deploy).toContain("TDMQ_API_URL=|");
    expect(deploy).toContain(`cwd=${ROOT}`);
  }, 30_000);

  test("migrate uses MIGRATE_DATABASE_URL when set", async () => {
    const tunnel = "postgres://app:pw@127.0.0.1:15432/orders";
    const result = await runDeploy({
      ...COMPLETE,
      MIGRATE_DATABASE_URL: tunnel,
    });
    const [, , migrate, deploy] = result.calls;

    expect(result.code).toBe(0);
    expect(migrate).toContain(`DATABASE_URL=${tunnel}`);
    expect(deploy).toContain(`DATABASE_URL=${COMPLETE.DATABASE_URL}`);
  }, 30_000);

  test("STAGE is the default stage", async () => {
    const result = await runDeploy({ ...COMPLETE, STAGE: "staging" });

    expect(result.code).toBe(0);
    expect(result.calls[3]).toContain("deploy --stage staging");
  }, 30_000);

  test("SDK credential names reach the CLI", async () => {
    const env = without("TENCENT_SECRET_ID");
    delete env.TENCENT_SECRET_KEY;
    env.TENCENTCLOUD_SECRET_ID = "AKIDfromsdknames0000wxyz";
    env.TENCENTCLOUD_SECRET_KEY = SECRET_KEY;

    const result = await runDeploy(env);

    expect(result.code).toBe(0);
    expect(result.calls[3]).toContain(
      "TENCENT_SECRET_ID=AKIDfromsdknames0000wxyz",
    );
  }, 30_000);
});

describe("npm run deploy failures", () => {
  test("failing migrate stops before the deploy", async () => {
    const result = await runDeploy({ ...COMPLETE, FAKE_FAIL: "migrate" });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("deploy failed at step migrate");
    expect(result.stderr).toContain("exited with code 3");
    expect(result.calls).toHaveLength(3);
  }, 30_000);

  test("failing deploy CLI exits 1 naming the step", async () => {
    const result = await runDeploy({ ...COMPLETE, FAKE_FAIL: "deploy" });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("deploy failed at step deploy");
  }, 30_000);

  test("failing build runs nothing after it", async () => {
    const result = await runDeploy({ ...COMPLETE, FAKE_FAIL: "build" });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("deploy failed at step build");
    expect(result.calls).toHaveLength(1);
  }, 30_000);

  test("missing ORDER_API_KEYS is named", async () => {
    const result = await runDeploy(without("ORDER_API_KEYS"), ["--dry-run"]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ORDER_API_KEYS is missing or empty");
    expect(result.stdout).toBe("");
  }, 30_000);

  test("every missing variable is named at once", async () => {
    const env = without("DATABASE_URL");
    delete env.TENCENT_SECRET_ID;
    delete env.TENCENT_SECRET_KEY;
    delete env.CARRIER_API_KEY;

    const result = await runDeploy(env);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DATABASE_URL is missing or empty");
    expect(result.stderr).toContain("CARRIER_API_KEY is missing or empty");
    expect(result.stderr).toContain(
      "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY",
    );
    expect(result.calls).toEqual([]);
  }, 30_000);

  test.each([
    ["DATABASE_URL", "sqlite:/tmp/orders.db", "postgres://"],
    ["DATABASE_URL", "postgres://app:pw@localhost:5432/orders", "localhost"],
    ["PAYMENT_API_URL", "http://127.0.0.1:3002", "127.0.0.1"],
    ["ORDER_API_KEYS", "short", "shorter than 16"],
    ["VPC_ID", "my-vpc", "vpc-abcd1234"],
    ["TDMQ_API_URL", "undefined", "http://"],
  ])(
    "invalid %s %s is rejected",
    async (name, value, reason) => {
      const result = await runDeploy({ ...COMPLETE, [name]: value });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${name} is invalid`);
      expect(result.stderr).toContain(reason);
      expect(result.calls).toEqual([]);
    },
    30_000,
  );

  test("stage too long for SCF names is rejected", async () => {
    const result = await runDeploy(COMPLETE, [
      "--stage",
      "a-very-long-stage-name",
    ]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("SCF allows 60");
    expect(result.calls).toEqual([]);
  }, 30_000);

  test("variable of another serverless.yml is required", async () => {
    const config = join(dir, "serverless.extra.yml");
    writeFileSync(
      config,
      readFileSync(join(ROOT, "serverless.yml"), "utf8").replace(
        "      value: info",
        "      value: ${env:EXTRA_LOG_LEVEL}",
      ),
    );

    const result = await runDeploy(COMPLETE, ["--config", config]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("EXTRA_LOG_LEVEL is missing or empty");
  }, 30_000);

  test("unknown option exits 2 with usage", async () => {
    const result = await runDeploy(COMPLETE, ["--dryrun"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: npm run deploy");
    expect(result.calls).toEqual([]);
  }, 30_000);
});

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import pino from "pino";
import { tdmq } from "tencentcloud-sdk-nodejs/tencentcloud/services/tdmq";
import {
  type RunningServices,
  startLocalServices,
} from "../../emulator/local-services";
import { ROOT } from "../helpers/emulator";

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const TSX = join(ROOT, "node_modules", ".bin", "tsx");

/** Runs `scripts/provision.ts` as a child process with only `env` set. */
function runProvision(
  env: Record<string, string>,
  args: string[] = [],
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(TSX, ["scripts/provision.ts", ...args], {
      cwd: ROOT,
      env: { PATH: dirname(process.execPath), ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const dir = mkdtempSync(join(tmpdir(), "provision-"));
let running: RunningServices;
let first: RunResult;
let second: RunResult;

function cloudEnv(): Record<string, string> {
  return {
    TENCENTCLOUD_SECRET_ID: running.services.credentials.secretId,
    TENCENTCLOUD_SECRET_KEY: running.services.credentials.secretKey,
    TENCENTCLOUD_REGION: "ap-guangzhou",
    TDMQ_API_URL: running.services.cloudApiUrl,
  };
}

/** Returns a 127.0.0.1 port that this process listened on, then closed. */
function releasedPort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

function sdkClient() {
  const url = new URL(running.services.cloudApiUrl);
  return new tdmq.v20200217.Client({
    credential: running.services.credentials,
    region: "ap-guangzhou",
    profile: { httpProfile: { endpoint: url.host, protocol: "http://" } },
  });
}

beforeAll(async () => {
  running = await startLocalServices(
    join(dir, "data"),
    { apiPort: 0, paymentPort: 0, carrierPort: 0 },
    pino({ level: "silent" }),
  );
  first = await runProvision(cloudEnv());
  second = await runProvision(cloudEnv());
}, 60_000);

afterAll(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run provision", () => {
  test("first run creates the trigger topics", () => {
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("created topic order-created");
    expect(first.stdout).toContain("created topic order-paid");
    expect(first.stdout).toContain("created 2 of 2 resources");
  });

  test("second run creates nothing", () => {
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("topic order-created exists");
    expect(second.stdout).toContain("topic order-paid exists");
    expect(second.stdout).not.toContain("created topic");
    expect(second.stdout).toContain("nothing to create");
  });

  test("topics are listed by DescribeCmqTopics", async () => {
    const response = await sdkClient().DescribeCmqTopics({
      TopicNameList: ["order-created", "order-paid"],
    });
    const names = (response.TopicList ?? []).map((topic) => topic.TopicName);

    expect(response.TotalCount).toBe(2);
    expect(names).toContain("order-created");
    expect(names).toContain("order-paid");
  });

  test("TENCENT_SECRET_ID names are accepted", async () => {
    const result = await runProvision({
      TENCENT_SECRET_ID: running.services.credentials.secretId,
      TENCENT_SECRET_KEY: running.services.credentials.secretKey,
      TDMQ_API_URL: running.services.cloudApiUrl,
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("topic order-created exists");
  });

  test("dead-letter queue is created once", async () => {
    const config = join(dir, "serverless.dlq.yml");
    writeFileSync(
      config,
      [
        "component: multi-scf",
        "name: dlq-test",
        "inputs:",
        "  region: ap-guangzhou",
        "  functions:",
        "    consumer:",
        "      handler: index.main_handler",
        "      deadLetter:",
        "        type: queue",
        "        name: ${env:DLQ_NAME}",
        "  triggers:",
        "    - type: cmq",
        "      function: consumer",
        "      parameters:",
        "        name: dlq-test-topic",
        "        enable: true",
        "",
      ].join("\n"),
    );
    const env = { ...cloudEnv(), DLQ_NAME: "dlq-test-dead-letters" };

    const created = await runProvision(env, ["--config", config]);
    const again = await runProvision(env, ["--config", config]);
    const detail = await sdkClient().DescribeCmqQueueDetail({
      QueueName: "dlq-test-dead-letters",
    });

    expect(created.code).toBe(0);
    expect(created.stdout).toContain("created topic dlq-test-topic");
    expect(created.stdout).toContain("created queue dlq-test-dead-letters");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("queue dlq-test-dead-letters exists");
    expect(detail.QueueDescribe?.MsgRetentionSeconds).toBe(43_200);
  });

  test("wrong secret key fails with the API error", async () => {
    const result = await runProvision({
      ...cloudEnv(),
      TENCENTCLOUD_SECRET_KEY: "not-the-key",
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("CreateCmqTopic order-created failed");
    expect(result.stderr).toContain("AuthFailure.SignatureFailure");
  });

  test("missing credentials are named", async () => {
    const result = await runProvision({
      TDMQ_API_URL: running.services.cloudApiUrl,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY",
    );
    expect(result.stderr).toContain("TENCENT_SECRET_ID and TENCENT_SECRET_KEY");
  });

  test("half-set credentials name the missing variable", async () => {
    const result = await runProvision({
      TENCENT_SECRET_ID: running.services.credentials.secretId,
      TDMQ_API_URL: running.services.cloudApiUrl,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("TENCENT_SECRET_KEY is missing or empty");
  });

  test("unreachable endpoint fails with exit 1", async () => {
    const port = await releasedPort();
    const result = await runProvision({
      ...cloudEnv(),
      TDMQ_API_URL: `http://127.0.0.1:${port}`,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("CreateCmqTopic order-created failed");
    expect(result.stderr).toContain("ECONNREFUSED");
  });
});

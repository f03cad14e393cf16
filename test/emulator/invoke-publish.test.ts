/**
 * Messages that `invoke` publishes, run as a child process on a data folder
 * that `start` has never used: the CMQ topics of serverless.yml must exist,
 * the message must be stored in messages.db, and the next emulator start
 * must deliver it.
 */
import { type CliResult, runCli } from "../helpers/cli";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { MessageStore } from "../../emulator/messages/message-store";
import {
  ROOT,
  startTestEmulator,
  type TestEmulator,
  waitFor,
} from "../helpers/emulator";

jest.setTimeout(90_000);

const CREATE_ORDER_EVENT = join(ROOT, "events", "create-order.apigw.json");

let dir: string;
let emulator: TestEmulator | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "invoke-publish-"));
});

afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `tsx emulator/cli.ts invoke ARGS`. */
function invoke(args: string[]): Promise<CliResult> {
  return runCli(["invoke", ...args], 60_000);
}

function orderIdOf(stdout: string): string {
  const result = JSON.parse(stdout) as { statusCode: number; body: string };
  expect(result.statusCode).toBe(202);
  return (JSON.parse(result.body) as { orderId: string }).orderId;
}

/** Copies serverless.yml into `folder` with the trigger of `topic` lacking `enable: true`. */
function writeConfigWithDisabledTrigger(folder: string, topic: string): string {
  const document = parseDocument(
    readFileSync(join(ROOT, "serverless.yml"), "utf8"),
  );
  const triggers = document.getIn(["inputs", "triggers"]) as {
    items: unknown[];
  };
  triggers.items.forEach((_, index) => {
    const parameters = ["inputs", "triggers", index, "parameters"];
    if (document.getIn([...parameters, "name"]) === topic)
      document.deleteIn([...parameters, "enable"]);
  });
  const file = join(folder, "serverless.yml");
  writeFileSync(file, document.toString());
  return file;
}

/** Returns the JSON log lines on stderr whose `msg` is `message`. */
function logLines(stderr: string, message: string): Array<{ err?: Error }> {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { msg?: string; err?: Error })
    .filter((line) => line.msg === message);
}

describe("invoke on a fresh data folder", () => {
  test("published message is stored and delivered", async () => {
    const dataDir = join(dir, "fresh");
    const { code, stdout, stderr } = await invoke([
      "-f",
      "create-order",
      "-p",
      CREATE_ORDER_EVENT,
      "--data-dir",
      dataDir,
    ]);
    expect(stderr).not.toContain("ResourceNotFound");
    expect(code).toBe(0);
    const orderId = orderIdOf(stdout);

    const store = MessageStore.open(join(dataDir, "messages.db"));
    let pending;
    try {
      pending = store.pendingDeliveries();
    } finally {
      store.close();
    }
    expect(pending).toHaveLength(1);
    expect(pending[0]?.topicName).toBe("order-created");
    expect(pending[0]?.endpoint).toBe("process-payment");

    emulator = await startTestEmulator({ dataDir });
    const order = await waitFor(
      async () => {
        const response = await fetch(`${emulator?.httpUrl}/orders/${orderId}`);
        return (await response.json()) as { status?: string };
      },
      (body) => body.status === "shipped",
    );
    expect(order.status).toBe("shipped");
  });
});

describe("invoke when the publish fails", () => {
  test("error message states the cause once", async () => {
    const configDir = mkdtempSync(join(dir, "disabled-"));
    const configFile = writeConfigWithDisabledTrigger(
      configDir,
      "order-created",
    );
    const { code, stderr } = await invoke([
      "-f",
      "create-order",
      "-p",
      CREATE_ORDER_EVENT,
      "--config",
      configFile,
      "--data-dir",
      join(configDir, "data"),
    ]);
    expect(code).toBe(0);

    const failures = logLines(
      stderr,
      "publish failed; the outbox relay will retry it",
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]?.err?.message).toBe(
      "PublishCmqMsg to topic order-created failed: ResourceNotFound.Topic: Topic order-created not found.",
    );
  });
});

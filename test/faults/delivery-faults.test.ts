import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { ROOT } from "../helpers/emulator";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import {
  guaranteeViolations,
  postOrders,
  readLedgerFile,
  waitUntilAllFinal,
} from "../helpers/pipeline-checks";
import { writeTestConfig } from "../helpers/test-config";

jest.setTimeout(180_000);

const dir = mkdtempSync(join(tmpdir(), "delivery-faults-"));
let emulator: TestEmulator | undefined;

afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(
  name: string,
  overrides: Parameters<typeof startTestEmulator>[0] = {},
): Promise<TestEmulator> {
  const configFile = writeTestConfig(mkdtempSync(join(dir, `${name}-`)), {
    relayCron: "* * * * * * *",
    timeouts: { "process-payment": 2 },
  });
  emulator = await startTestEmulator({
    configFile,
    envOverrides: { LOG_LEVEL: "warn" },
    ...overrides,
  });
  return emulator;
}

async function setPaymentKnobs(
  target: TestEmulator,
  knobs: Record<string, number>,
): Promise<void> {
  await fetch(`${target.services.paymentUrl}/_control`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(knobs),
  });
}

async function paymentRequests(target: TestEmulator): Promise<number> {
  const response = await fetch(`${target.services.paymentUrl}/health`);
  return ((await response.json()) as { requests: number }).requests;
}

function unsentOutbox(dataDir: string): number {
  const db = new Database(join(dataDir, "orders.db"), { readonly: true });
  try {
    return (
      db
        .prepare("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL")
        .get() as { n: number }
    ).n;
  } finally {
    db.close();
  }
}

async function dlq(dataDir: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "emulator", "cli.ts"),
      "dlq",
      ...args,
      "--data-dir",
      dataDir,
    ],
    { cwd: ROOT },
  );
  return stdout;
}

describe("delivery faults", () => {
  test("duplicated and reordered deliveries charge once", async () => {
    const target = await start("duplicates", {
      faults: { duplicateDeliveries: true, reorderDeliveries: true },
    });

    const accepted = await postOrders(target.httpUrl, 120, 16);
    const orders = await waitUntilAllFinal(target.dataDir, 60_000);
    // An order can be final before the second copy of its last message
    // arrives. The ledger is read once every copy is delivered, so a late
    // duplicate that charged again would show.
    const deadline = Date.now() + 30_000;
    while (
      target.dispatcher.duplicatesDelivered < target.store.counts().messages &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ledger = readLedgerFile(target.dataDir);
    const messages = target.store.counts().messages;
    console.info(
      `duplicates run: ${accepted.length} orders, ${messages} messages, ` +
        `${target.dispatcher.duplicatesDelivered} duplicates delivered, ${ledger.charges.size} charged`,
    );

    expect(accepted).toHaveLength(120);
    expect(target.dispatcher.duplicatesDelivered).toBe(messages);
    expect(guaranteeViolations(accepted, orders, ledger)).toEqual([]);
  });

  test("provider latency, 5xx and rate limits end final", async () => {
    const target = await start("provider");
    // Slower than process-payment's 2 s timeout, then a 5xx burst under a
    // rate limit; each phase lasts a few seconds.
    await setPaymentKnobs(target, { latencyMs: 2_500 });
    const accepted = await postOrders(target.httpUrl, 20, 8);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await setPaymentKnobs(target, {
      latencyMs: 0,
      errorRate: 0.6,
      rateLimitPerSecond: 20,
    });
    accepted.push(...(await postOrders(target.httpUrl, 40, 8)));
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await setPaymentKnobs(target, { errorRate: 0, rateLimitPerSecond: 0 });

    // Messages whose retries ran out during the faults wait in the
    // dead-letter store; a redrive finishes them.
    await waitUntilAllFinal(target.dataDir, 10_000);
    const deadLetters = target.store.listDeadLetters();
    await fetch(`${target.httpUrl}/_emulator/dead-letters/redrive`, {
      method: "POST",
    });
    const orders = await waitUntilAllFinal(target.dataDir, 60_000);
    const ledger = readLedgerFile(target.dataDir);
    const requests = await paymentRequests(target);
    const messages = target.store.counts().messages;
    console.info(
      `provider faults run: ${accepted.length} orders, ${deadLetters.length} dead letters, ` +
        `${requests} payment requests, ${ledger.charges.size} charged`,
    );

    expect(accepted).toHaveLength(60);
    expect(guaranteeViolations(accepted, orders, ledger)).toEqual([]);
    for (const letter of deadLetters) expect(letter.attempts).toBe(3);
    // Each message: at most 3 invocations (first + 2 retries), before and
    // after a redrive, each with at most 3 HTTP attempts, plus refunds.
    expect(requests).toBeLessThanOrEqual(messages * 2 * 3 * 3);
  });

  test("refused publishes are relayed later", async () => {
    const target = await start("publish", { faults: { refusePublish: true } });

    const accepted = await postOrders(target.httpUrl, 30, 8);
    const unsentWhileRefused = unsentOutbox(target.dataDir);
    const messagesWhileRefused = target.store.counts().messages;
    target.faults.refusePublish = false;
    const orders = await waitUntilAllFinal(target.dataDir, 60_000);
    const ledger = readLedgerFile(target.dataDir);

    expect(accepted).toHaveLength(30);
    expect(unsentWhileRefused).toBe(30);
    expect(messagesWhileRefused).toBe(0);
    expect(guaranteeViolations(accepted, orders, ledger)).toEqual([]);
    expect(unsentOutbox(target.dataDir)).toBe(0);
  });

  test("dead letters are listed and redriven with npm run dlq", async () => {
    const target = await start("dlq");
    await setPaymentKnobs(target, { errorRate: 1 });

    const accepted = await postOrders(target.httpUrl, 3, 3);
    const deadline = Date.now() + 30_000;
    while (target.store.listDeadLetters().length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const listed = await dlq(target.dataDir, "list");
    const firstId = String(target.store.listDeadLetters()[0]?.deliveryId);
    const shown = JSON.parse(await dlq(target.dataDir, "show", firstId)) as {
      attempts: number;
      event: unknown;
    };
    await setPaymentKnobs(target, { errorRate: 0 });
    const redriven = await dlq(target.dataDir, "redrive", "--all");
    const orders = await waitUntilAllFinal(target.dataDir, 30_000);
    const ledger = readLedgerFile(target.dataDir);

    expect(listed.trim().split("\n")).toHaveLength(3);
    expect(listed).toContain("process-payment");
    expect(shown.attempts).toBe(3);
    expect(shown.event).toHaveProperty("Records");
    expect(redriven).toContain("redrove 3 dead letters");
    expect(guaranteeViolations(accepted, orders, ledger)).toEqual([]);
    expect(target.store.listDeadLetters()).toEqual([]);
  });

  test("stalled orders finish through the relay's requeue", async () => {
    const target = await start("requeue", {
      envOverrides: { LOG_LEVEL: "warn", STALLED_ORDER_SECONDS: "2" },
    });
    await setPaymentKnobs(target, { errorRate: 1 });

    const accepted = await postOrders(target.httpUrl, 5, 5);
    const deadline = Date.now() + 30_000;
    while (target.store.listDeadLetters().length < 5 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const deadLetters = target.store.listDeadLetters().length;
    await setPaymentKnobs(target, { errorRate: 0 });
    const orders = await waitUntilAllFinal(target.dataDir, 30_000);
    const ledger = readLedgerFile(target.dataDir);

    expect(deadLetters).toBe(5);
    expect(guaranteeViolations(accepted, orders, ledger)).toEqual([]);
  });
});

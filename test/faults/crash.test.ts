import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePorts,
  startEmulatorProcess,
  type EmulatorProcess,
} from "../helpers/emulator-process";
import {
  countByStatus,
  guaranteeViolations,
  postOrders,
  readLedgerFile,
  readOrders,
  waitUntilAllFinal,
} from "../helpers/pipeline-checks";
import { writeTestConfig } from "../helpers/test-config";

jest.setTimeout(240_000);

const dir = mkdtempSync(join(tmpdir(), "crash-"));
const dataDir = join(dir, "data");
let configFile: string;
let ports: number[];
let current: EmulatorProcess | undefined;

beforeAll(async () => {
  configFile = writeTestConfig(dir, { relayCron: "* * * * * * *" });
  ports = await freePorts(4);
});

afterAll(async () => {
  await current?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<EmulatorProcess> {
  current = await startEmulatorProcess({ dataDir, configFile, ports });
  return current;
}

/** Resolves once `check` holds on orders.db, polling every 20 ms. */
async function until(
  what: string,
  check: () => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function paidCount(): number {
  return [...readOrders(dataDir).values()].filter(
    (order) => order.paymentReference !== null,
  ).length;
}

test("SIGKILL during intake, payment and shipping loses nothing", async () => {
  const accepted: string[] = [];
  let kills = 0;

  // 1. Kill while orders are still arriving.
  let emulator = await start();
  let acceptedNow = 0;
  const intake = postOrders(emulator.httpUrl, 300, 24, (orderId) => {
    accepted.push(orderId);
    acceptedNow += 1;
  });
  await until("100 orders are accepted", () => acceptedNow >= 100);
  await emulator.kill();
  kills += 1;
  await intake;

  // 2. Kill while payments run: more orders, then a kill mid-stream.
  emulator = await start();
  let acceptedSecond = 0;
  const second = postOrders(emulator.httpUrl, 150, 16, (orderId) => {
    accepted.push(orderId);
    acceptedSecond += 1;
  });
  await until("60 more orders are accepted", () => acceptedSecond >= 60);
  const paidBefore = paidCount();
  await until("10 more orders are paid", () => paidCount() >= paidBefore + 10);
  await emulator.kill();
  kills += 1;
  await second;

  // 3. Kill while shipments run: as soon as any order waits in "paid".
  emulator = await start();
  await until(
    "an order waits for shipping",
    () => (countByStatus(dataDir).paid ?? 0) > 0,
  );
  await emulator.kill();
  kills += 1;

  // 4. Restart and let everything finish.
  emulator = await start();
  const orders = await waitUntilAllFinal(dataDir, 90_000);
  const ledger = readLedgerFile(dataDir);
  await emulator.stop();
  current = undefined;

  const statuses = countByStatus(dataDir);
  const charges = [...ledger.charges.values()].reduce(
    (sum, count) => sum + count,
    0,
  );
  const refunds = [...ledger.refunds.values()].reduce(
    (sum, count) => sum + count,
    0,
  );
  console.info(
    `crash run: ${accepted.length} accepted, ${orders.size} stored, ${kills} kills, ` +
      `${charges} charges, ${refunds} refunds, statuses ${JSON.stringify(statuses)}`,
  );

  expect(kills).toBe(3);
  expect(accepted.length).toBeGreaterThanOrEqual(160);
  expect(guaranteeViolations(accepted, orders, ledger)).toEqual([]);
  expect(statuses.pending ?? 0).toBe(0);
  expect(statuses.paid ?? 0).toBe(0);
});

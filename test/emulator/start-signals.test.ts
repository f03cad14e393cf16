import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  type EmulatorProcess,
  freePorts,
  startEmulatorProcess,
} from "../helpers/emulator-process";
import { orderRequest } from "../helpers/orders";
import { writeTestConfig } from "../helpers/test-config";
import { postOrdersHead, RawConnection, tryConnect } from "./raw-http";

jest.setTimeout(180_000);

const dir = mkdtempSync(join(tmpdir(), "start-signals-"));
let configFile: string;
let current: EmulatorProcess | undefined;

beforeAll(() => {
  configFile = writeTestConfig(dir, {});
});

afterAll(async () => {
  if (current && current.child.exitCode === null && !current.child.killed)
    await current.kill();
  rmSync(dir, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  at: number;
}

async function start(name: string): Promise<{
  emulator: EmulatorProcess;
  port: number;
  dataDir: string;
  exited: Promise<Exit>;
}> {
  const dataDir = join(dir, name);
  const ports = await freePorts(4);
  const emulator = await startEmulatorProcess({ dataDir, configFile, ports });
  current = emulator;
  const exited = new Promise<Exit>((resolve) =>
    emulator.child.once("exit", (code) => resolve({ code, at: Date.now() })),
  );
  return { emulator, port: ports[0] as number, dataDir, exited };
}

/** Reads every idempotency key in orders.db with the order stored under it. */
function storedOrders(dataDir: string): Map<string, string> {
  const db = new Database(join(dataDir, "orders.db"), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const rows = db
      .prepare("SELECT idempotency_key, order_id FROM idempotency_keys")
      .all() as Array<{ idempotency_key: string; order_id: string }>;
    return new Map(rows.map((row) => [row.idempotency_key, row.order_id]));
  } finally {
    db.close();
  }
}

async function until(
  condition: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting until ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Sends the head and half the body of an order request. Returns the
 * connection and the rest of the body.
 */
async function openHalfOrder(port: number, key: string) {
  const body = JSON.stringify(orderRequest());
  const half = Math.floor(body.length / 2);
  const connection = await RawConnection.open(port);
  await connection.write(
    postOrdersHead(Buffer.byteLength(body), { "Idempotency-Key": key }) +
      body.slice(0, half),
  );
  return { connection, rest: body.slice(half) };
}

test("SIGINT under load responds for every stored order", async () => {
  const { emulator, port, dataDir, exited } = await start("load");
  const url = `${emulator.httpUrl}/orders`;
  const answered = new Map<string, string>();
  const failures: string[] = [];
  let stopLoad = false;

  async function client(): Promise<void> {
    while (!stopLoad) {
      const key = randomUUID();
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "idempotency-key": key,
          },
          body: JSON.stringify(orderRequest()),
        });
        const body = (await response.json()) as { orderId?: string };
        if (response.status === 202 && body.orderId)
          answered.set(key, body.orderId);
        else failures.push(`HTTP ${response.status}`);
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        failures.push(cause?.code ?? String(error));
        if (cause?.code === "ECONNREFUSED") return;
      }
    }
  }
  const load = Promise.all(Array.from({ length: 16 }, client));

  const halfKey = randomUUID();
  const half = await openHalfOrder(port, halfKey);
  await until("100 orders are answered", () => answered.size >= 100);

  emulator.child.kill("SIGINT");
  await until(
    "the port refuses connections",
    async () => (await tryConnect(port)) === "ECONNREFUSED",
  );
  stopLoad = true;

  // The request in progress when the signal came still gets its response.
  await half.connection.write(half.rest);
  const response = await half.connection.response();
  expect(response.status).toBe(202);
  expect(response.headers.connection).toBe("close");
  answered.set(
    halfKey,
    (JSON.parse(response.body) as { orderId: string }).orderId,
  );

  await load;
  const exit = await exited;
  expect(exit.code).toBe(0);

  const stored = storedOrders(dataDir);
  const storedWithoutAnswer = [...stored].filter(
    ([key, orderId]) => answered.get(key) !== orderId,
  );
  expect(storedWithoutAnswer).toEqual([]);
  expect(stored.size).toBe(answered.size);
  expect(emulator.output()).toContain("SIGINT: stopping");
  expect(emulator.output()).not.toContain("HTTP trigger failed");
});

test("second SIGINT stops at once", async () => {
  const { emulator, port, exited } = await start("forced");

  // A request that never completes keeps the first stop waiting.
  const half = await openHalfOrder(port, randomUUID());
  await new Promise((resolve) => setTimeout(resolve, 200));

  emulator.child.kill("SIGINT");
  await until("the stop is announced", () =>
    emulator.output().includes("SIGINT: stopping"),
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(emulator.child.exitCode).toBeNull();

  const secondAt = Date.now();
  emulator.child.kill("SIGINT");
  const exit = await exited;

  expect(exit.at - secondAt).toBeLessThan(2000);
  expect(exit.code).toBe(130);
  expect(emulator.output()).toContain("SIGINT again: stopping at once");
  await half.connection.waitClosed(1000);
});

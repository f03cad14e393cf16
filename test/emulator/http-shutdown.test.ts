import { orderIdForKey } from "../helpers/orders-db";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DRAIN_GRACE_MS } from "../../emulator/http/trigger-server";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { orderRequest } from "../helpers/orders";
import { writeTestConfig } from "../helpers/test-config";
import { postOrdersHead, RawConnection, tryConnect } from "./raw-http";

jest.setTimeout(60_000);

const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Starts an emulator whose data folder outlives `close()`. */
async function startKeepingData(configFile?: string): Promise<TestEmulator> {
  const dataDir = mkdtempSync(join(tmpdir(), "http-shutdown-"));
  dirs.push(dataDir);
  return startTestEmulator({ dataDir, ...(configFile ? { configFile } : {}) });
}

function portOf(emulator: TestEmulator): number {
  return Number(new URL(emulator.httpUrl).port);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("close lets a request in progress finish", async () => {
  const emulator = await startKeepingData();
  const port = portOf(emulator);

  // A keep-alive connection left idle after one response.
  const idle = await RawConnection.open(port);
  await idle.write(
    "GET /orders/ord_missing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
  );
  expect((await idle.response()).status).toBe(404);

  // A request whose head arrived but whose body is still on its way.
  const key = randomUUID();
  const body = JSON.stringify(orderRequest());
  const half = Math.floor(body.length / 2);
  const inProgress = await RawConnection.open(port);
  await inProgress.write(
    postOrdersHead(Buffer.byteLength(body), { "Idempotency-Key": key }) +
      body.slice(0, half),
  );

  // A client that has sent only part of its request line and headers.
  const slowHead = await RawConnection.open(port);
  await slowHead.write("GET /orders/ord_missing HTTP/1.1\r\nHost: 127");
  await sleep(200);

  const startedAt = Date.now();
  const closing = emulator.close();

  await idle.waitClosed(1000);
  expect(await tryConnect(port)).toBe("ECONNREFUSED");

  await inProgress.write(body.slice(half));
  const accepted = await inProgress.response();
  expect(accepted.status).toBe(202);
  expect(accepted.headers.connection).toBe("close");
  const orderId = (JSON.parse(accepted.body) as { orderId: string }).orderId;
  await inProgress.waitClosed(1000);

  await slowHead.write(".0.0.1\r\n\r\n");
  const unavailable = await slowHead.response();
  expect(unavailable.status).toBe(503);
  expect(unavailable.headers.connection).toBe("close");
  expect(JSON.parse(unavailable.body)).toMatchObject({
    error: "service_unavailable",
  });
  await slowHead.waitClosed(1000);

  await closing;
  expect(Date.now() - startedAt).toBeLessThan(emulator.httpDrainTimeoutMs);
  expect(orderIdForKey(emulator.dataDir, key)).toBe(orderId);
});

test("close waits at most the drain timeout", async () => {
  const dir = mkdtempSync(join(tmpdir(), "http-shutdown-config-"));
  dirs.push(dir);
  const configFile = writeTestConfig(dir, {
    timeouts: { "create-order": 1, "get-order": 1 },
  });
  const emulator = await startKeepingData(configFile);
  expect(emulator.httpDrainTimeoutMs).toBe(1000 + DRAIN_GRACE_MS);

  // The body never arrives, so the request cannot finish.
  const stalled = await RawConnection.open(portOf(emulator));
  await stalled.write(postOrdersHead(100));
  await sleep(200);

  const startedAt = Date.now();
  await emulator.close();
  const elapsed = Date.now() - startedAt;

  expect(elapsed).toBeGreaterThanOrEqual(emulator.httpDrainTimeoutMs - 50);
  expect(elapsed).toBeLessThan(emulator.httpDrainTimeoutMs + 3000);
  await stalled.waitClosed(1000);
  expect(stalled.received().length).toBe(0);
});

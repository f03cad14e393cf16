import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  startCarrierSandbox,
  type SandboxServer,
} from "../../../emulator/sandbox/carrier-api";

const API_KEY = "sk_test_carrier_sandbox";

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

let dir: string;
let dbPath: string;
let sandbox: SandboxServer;
let keyCounter = 0;

function freshKey(): string {
  keyCounter += 1;
  return `shipment-key-${keyCounter}`;
}

const address = {
  name: "Li Lei",
  line1: "1 Century Ave",
  city: "Shanghai",
  postalCode: "200120",
  country: "CN",
};
const shipment = {
  orderId: "ord_1",
  address,
  items: [{ sku: "SKU-1", quantity: 2 }],
};

async function ship(body: unknown, key = freshKey()): Promise<Reply> {
  const response = await fetch(`${sandbox.url}/v1/shipments`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${API_KEY}`,
      "Content-Type": "application/json",
      "Idempotency-Key": key,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: await response.json(),
  };
}

async function ledger(): Promise<{
  shipments: Array<{ id: string; trackingNumber: string }>;
}> {
  const response = await fetch(`${sandbox.url}/v1/ledger`, {
    headers: { Authorization: `Bearer ${API_KEY}` },
  });
  return (await response.json()) as {
    shipments: Array<{ id: string; trackingNumber: string }>;
  };
}

function withPostalCode(postalCode: string) {
  return { ...shipment, address: { ...address, postalCode } };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "carrier-sandbox-"));
  dbPath = join(dir, "carrier.db");
  sandbox = await startCarrierSandbox({ port: 0, dbPath, apiKey: API_KEY });
});

afterEach(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("carrier sandbox", () => {
  test("creates a shipment", async () => {
    const reply = await ship(shipment);
    expect(reply.status).toBe(201);
    expect(reply.body.id).toMatch(/^shp_/);
    expect(reply.body.trackingNumber).toMatch(/^SBX\d{12}$/);
    expect(reply.body.carrier).toBe("sandbox-express");
    expect(reply.body.status).toBe("created");
    expect(reply.body.orderId).toBe("ord_1");
  });

  test("tracking numbers are unique", async () => {
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => ship(shipment)),
    );
    const numbers = new Set(replies.map((reply) => reply.body.trackingNumber));
    expect(numbers.size).toBe(20);
  });

  test("optional address lines are accepted", async () => {
    const reply = await ship({
      ...shipment,
      address: { ...address, line2: "Floor 3", region: "SH" },
    });
    expect(reply.status).toBe(201);
  });

  test("same key replays the shipment", async () => {
    const key = freshKey();
    const first = await ship(shipment, key);
    const second = await ship(shipment, key);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect((await ledger()).shipments).toHaveLength(1);
  });

  test("same key with other items is 409", async () => {
    const key = freshKey();
    await ship(shipment, key);
    const reply = await ship(
      { ...shipment, items: [{ sku: "SKU-2", quantity: 1 }] },
      key,
    );
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe("idempotency_key_reused");
  });

  test("postal code 000000 is 422 address_undeliverable", async () => {
    const reply = await ship(withPostalCode("000000"));
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe("address_undeliverable");
    expect((await ledger()).shipments).toHaveLength(0);
  });

  test("postal code 999999 fails once per key", async () => {
    const key = freshKey();
    const first = await ship(withPostalCode("999999"), key);
    const second = await ship(withPostalCode("999999"), key);
    expect(first.status).toBe(503);
    expect(first.body.error.code).toBe("temporarily_unavailable");
    expect(second.status).toBe(201);
    expect((await ledger()).shipments).toHaveLength(1);
  });

  test.each([
    [
      "3-letter country",
      { ...shipment, address: { ...address, country: "CHN" } },
      "address.country",
    ],
    [
      "missing city",
      { ...shipment, address: { ...address, city: undefined } },
      "address.city",
    ],
    ["no items", { ...shipment, items: [] }, "items"],
    [
      "zero quantity",
      { ...shipment, items: [{ sku: "SKU-1", quantity: 0 }] },
      "items.0.quantity",
    ],
    [
      "unknown item field",
      { ...shipment, items: [{ sku: "SKU-1", quantity: 1, unitPrice: 5 }] },
      "unitPrice",
    ],
  ])("shipment with %s is 400", async (_case, body, field) => {
    const reply = await ship(body);
    expect(reply.status).toBe(400);
    expect(reply.body.error.param).toBe(field);
  });

  test("wrong API key is 401", async () => {
    const response = await fetch(`${sandbox.url}/v1/shipments`, {
      method: "POST",
      headers: { Authorization: "Bearer nope", "Idempotency-Key": freshKey() },
      body: JSON.stringify(shipment),
    });
    expect(response.status).toBe(401);
  });

  test("ledger survives a restart", async () => {
    const created = await ship(shipment);
    await sandbox.close();
    sandbox = await startCarrierSandbox({ port: 0, dbPath, apiKey: API_KEY });
    const shipments = (await ledger()).shipments;
    expect(shipments).toHaveLength(1);
    expect(shipments[0]?.trackingNumber).toBe(created.body.trackingNumber);
  });

  test("knobs apply to shipments", async () => {
    sandbox.setKnobs({ errorRate: 1 });
    const reply = await ship(shipment);
    expect(reply.status).toBe(503);
  });
});

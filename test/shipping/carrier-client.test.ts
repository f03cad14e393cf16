import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  startCarrierSandbox,
  type SandboxServer,
} from "../../emulator/sandbox/carrier-api";
import { PermanentError, TransientError } from "../../src/errors";
import type { ShippingAddress } from "../../src/orders/order";
import { CarrierClient } from "../../src/shipping/carrier-client";

const API_KEY = "sk_test_carrier_client_secret";

let dir: string;
let sandbox: SandboxServer;
let keyCounter = 0;

function freshKey(): string {
  keyCounter += 1;
  return `shipment-key-${keyCounter}`;
}

function client(maxAttempts = 3): CarrierClient {
  return new CarrierClient({
    baseUrl: sandbox.url,
    apiKey: API_KEY,
    timeoutMs: 2_000,
    maxAttempts,
  });
}

async function shipmentCount(): Promise<number> {
  const response = await fetch(`${sandbox.url}/v1/ledger`, {
    headers: { Authorization: `Bearer ${API_KEY}` },
  });
  const body = (await response.json()) as { shipments: unknown[] };
  return body.shipments.length;
}

async function failureOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

const address: ShippingAddress = {
  name: "Han Meimei",
  line1: "100 Renmin Rd",
  city: "Guangzhou",
  postalCode: "510000",
  country: "CN",
};
const items = [{ sku: "SKU-1", quantity: 1 }];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "carrier-client-"));
  sandbox = await startCarrierSandbox({
    port: 0,
    dbPath: join(dir, "carrier.db"),
    apiKey: API_KEY,
  });
});

afterEach(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("CarrierClient", () => {
  test("creates a shipment", async () => {
    const shipment = await client().createShipment({
      orderId: "ord_1",
      address,
      items,
      idempotencyKey: freshKey(),
    });
    expect(shipment.id).toMatch(/^shp_/);
    expect(shipment.trackingNumber).toMatch(/^SBX/);
    expect(shipment.carrier).toBe("sandbox-express");
  });

  test("same key ships once", async () => {
    const carrier = client();
    const key = freshKey();
    const first = await carrier.createShipment({
      orderId: "ord_1",
      address,
      items,
      idempotencyKey: key,
    });
    const second = await carrier.createShipment({
      orderId: "ord_1",
      address,
      items,
      idempotencyKey: key,
    });
    expect(second.trackingNumber).toBe(first.trackingNumber);
    expect(await shipmentCount()).toBe(1);
  });

  test("postal code 000000 is PermanentError address_undeliverable", async () => {
    const error = await failureOf(() =>
      client().createShipment({
        orderId: "ord_1",
        address: { ...address, postalCode: "000000" },
        items,
        idempotencyKey: freshKey(),
      }),
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe("address_undeliverable");
    expect(await shipmentCount()).toBe(0);
  });

  test("postal code 999999 is retried to success", async () => {
    const shipment = await client().createShipment({
      orderId: "ord_1",
      address: { ...address, postalCode: "999999" },
      items,
      idempotencyKey: freshKey(),
    });
    expect(shipment.trackingNumber).toMatch(/^SBX/);
    expect(await shipmentCount()).toBe(1);
  });

  test("postal code 999999 with one attempt is TransientError", async () => {
    const error = await failureOf(() =>
      client(1).createShipment({
        orderId: "ord_1",
        address: { ...address, postalCode: "999999" },
        items,
        idempotencyKey: freshKey(),
      }),
    );
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toContain(
      "carrier POST /v1/shipments",
    );
  });

  test("sends only sku and quantity of order items", async () => {
    const orderItems = [{ sku: "SKU-1", quantity: 2, unitPrice: 1999 }];
    const shipment = await client().createShipment({
      orderId: "ord_1",
      address,
      items: orderItems,
      idempotencyKey: freshKey(),
    });
    expect(shipment.carrier).toBe("sandbox-express");
  });
});

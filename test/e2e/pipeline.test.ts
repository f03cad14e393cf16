import { randomUUID } from "node:crypto";
import { orderRequest } from "../helpers/orders";
import {
  startTestEmulator,
  type TestEmulator,
  waitFor,
} from "../helpers/emulator";

const FINAL = ["shipped", "payment_failed", "refunded"];

let emulator: TestEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
});

async function postOrder(
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${emulator.httpUrl}/orders`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "idempotency-key": randomUUID(),
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function getOrder(orderId: string): Promise<Record<string, any>> {
  const response = await fetch(`${emulator.httpUrl}/orders/${orderId}`);
  return (await response.json()) as Record<string, any>;
}

async function finalOrder(orderId: string): Promise<Record<string, any>> {
  return waitFor(
    () => getOrder(orderId),
    (order) => FINAL.includes(order.status),
  );
}

async function paymentLedger(): Promise<Record<string, any[]>> {
  const { paymentUrl, paymentApiKey } = emulator.services;
  const response = await fetch(`${paymentUrl}/v1/ledger`, {
    headers: { authorization: `Bearer ${paymentApiKey}` },
  });
  return (await response.json()) as Record<string, any[]>;
}

describe("order pipeline on the emulator", () => {
  test("tok_ok order ends shipped with history", async () => {
    const response = await postOrder(orderRequest());
    const accepted = (await response.json()) as Record<string, any>;

    expect(response.status).toBe(202);
    expect(accepted.status).toBe("pending");
    expect(accepted.totalAmount).toBe(9600);

    const order = await finalOrder(accepted.orderId);
    expect(order.status).toBe("shipped");
    expect(order.payment.reference).toMatch(/^ch_/);
    expect(order.shipment.trackingNumber).toBeTruthy();
    expect(order.history.map((entry: any) => entry.status)).toEqual([
      "pending",
      "paid",
      "shipped",
    ]);
    expect(order.paymentToken).toBeUndefined();
  });

  test("tok_declined order ends payment_failed with reason", async () => {
    const response = await postOrder(
      orderRequest({ paymentToken: "tok_declined" }),
    );
    const { orderId } = (await response.json()) as { orderId: string };

    const order = await finalOrder(orderId);

    expect(order.status).toBe("payment_failed");
    expect(order.failureReason).toMatch(/card_declined/);
    expect(order.history.map((entry: any) => entry.status)).toEqual([
      "pending",
      "payment_failed",
    ]);
  });

  test("tok_flaky order is retried and charged once", async () => {
    const response = await postOrder(
      orderRequest({ paymentToken: "tok_flaky" }),
    );
    const { orderId } = (await response.json()) as { orderId: string };

    const order = await finalOrder(orderId);
    const charges = (await paymentLedger()).charges ?? [];

    expect(order.status).toBe("shipped");
    expect(charges.filter((charge) => charge.orderId === orderId)).toHaveLength(
      1,
    );
  });

  test("undeliverable address is refunded", async () => {
    const address = { ...orderRequest().shippingAddress, postalCode: "000000" };
    const response = await postOrder(
      orderRequest({ shippingAddress: address }),
    );
    const { orderId } = (await response.json()) as { orderId: string };

    const order = await finalOrder(orderId);
    const refunds = (await paymentLedger()).refunds ?? [];

    expect(order.status).toBe("refunded");
    expect(order.history.map((entry: any) => entry.status)).toEqual([
      "pending",
      "paid",
      "shipping_failed",
      "refunded",
    ]);
    expect(
      refunds.filter((refund) => refund.chargeId === order.payment.reference),
    ).toHaveLength(1);
  });

  test("repeated idempotency key returns the first order", async () => {
    const key = randomUUID();
    const first = await postOrder(orderRequest(), { "idempotency-key": key });
    const second = await postOrder(orderRequest(), { "idempotency-key": key });
    const firstBody = (await first.json()) as { orderId: string };
    const secondBody = (await second.json()) as { orderId: string };

    expect(second.status).toBe(202);
    expect(secondBody.orderId).toBe(firstBody.orderId);
  });

  test("idempotency key with another body is 409", async () => {
    const key = randomUUID();
    await postOrder(orderRequest(), { "idempotency-key": key });
    const response = await postOrder(orderRequest({ customerId: "c-2002" }), {
      "idempotency-key": key,
    });

    expect(response.status).toBe(409);
  });

  test("invalid order is 400 naming the field", async () => {
    const response = await postOrder(orderRequest({ currency: "XXQ" }));
    const body = (await response.json()) as {
      error: string;
      issues: Array<{ field: string }>;
    };

    expect(response.status).toBe(400);
    expect(body.error).toBe("invalid_request");
    expect(body.issues.map((issue) => issue.field)).toContain("body.currency");
  });

  test("unsafe address characters are 400", async () => {
    const base = orderRequest();
    const issuesOf = async (address: Record<string, string>) => {
      const response = await postOrder({
        ...base,
        shippingAddress: { ...base.shippingAddress, ...address },
      });
      const body = (await response.json()) as {
        issues?: Array<{ field: string }>;
      };
      return [response.status, body.issues?.map((issue) => issue.field)];
    };

    expect(await issuesOf({ line1: "1 Main St\u0000" })).toEqual([
      400,
      ["body.shippingAddress.line1"],
    ]);
    expect(await issuesOf({ name: "Ann \u202Egnp.exe" })).toEqual([
      400,
      ["body.shippingAddress.name"],
    ]);
    expect(await issuesOf({ city: "\uD800Shenzhen" })).toEqual([
      400,
      ["body.shippingAddress.city"],
    ]);
    expect(await issuesOf({ line1: "1 Main St\u2028Floor 2" })).toEqual([
      400,
      ["body.shippingAddress.line1"],
    ]);
    expect(await issuesOf({ name: "\u0301\u0301" })).toEqual([
      400,
      ["body.shippingAddress.name"],
    ]);
  });

  test("non-UTF-8 charset is 400", async () => {
    const response = await postOrder(orderRequest(), {
      "content-type": "application/json; charset=iso-8859-1",
    });
    const body = (await response.json()) as {
      message: string;
      issues: Array<{ field: string }>;
    };

    expect(response.status).toBe(400);
    expect(body.message).toContain("iso-8859-1");
    expect(body.issues.map((issue) => issue.field)).toEqual([
      "headers.content-type",
    ]);
  });

  test("non-UTF-8 body is 400", async () => {
    const response = await fetch(`${emulator.httpUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    });
    const body = (await response.json()) as {
      issues: Array<{ field: string; message: string }>;
    };

    expect(response.status).toBe(400);
    expect(body.issues).toEqual([
      { field: "body", message: "is not UTF-8 text; send the body as UTF-8" },
    ]);
  });

  test("repeated Idempotency-Key header is 400", async () => {
    const response = await fetch(`${emulator.httpUrl}/orders`, {
      method: "POST",
      headers: [
        ["content-type", "application/json"],
        ["idempotency-key", randomUUID()],
        ["idempotency-key", randomUUID()],
      ],
      body: JSON.stringify(orderRequest()),
    });
    const body = (await response.json()) as {
      issues: Array<{ field: string; message: string }>;
    };

    expect(response.status).toBe(400);
    expect(body.issues).toEqual([
      { field: "headers.idempotency-key", message: "must be sent once" },
    ]);
  });

  test("over-large price is reported once", async () => {
    const response = await postOrder(
      orderRequest({
        items: [{ sku: "TEA-250G", quantity: 2, unitPrice: 2_000_000_000 }],
      }),
    );
    const body = (await response.json()) as {
      issues: Array<{ field: string }>;
    };

    expect(response.status).toBe(400);
    expect(body.issues.map((issue) => issue.field)).toEqual([
      "body.items.0.unitPrice",
    ]);
  });

  test("unknown fields are named", async () => {
    const base = orderRequest();
    const response = await postOrder({
      ...base,
      admin: true,
      shippingAddress: { ...base.shippingAddress, phone: "1" },
    });
    const body = (await response.json()) as {
      issues: Array<{ field: string; message: string }>;
    };

    expect(response.status).toBe(400);
    expect(body.issues).toEqual([
      { field: "body.shippingAddress.phone", message: "is not a known field" },
      { field: "body.admin", message: "is not a known field" },
    ]);
  });

  test("issues carry zod's English messages", async () => {
    const response = await postOrder(
      orderRequest({ items: [{ sku: "TEA-250G", quantity: 0, unitPrice: 1 }] }),
    );
    const body = (await response.json()) as {
      issues: Array<{ field: string; message: string }>;
    };

    expect(response.status).toBe(400);
    expect(body.issues).toEqual([
      {
        field: "body.items.0.quantity",
        message: "Too small: expected number to be >=1",
      },
    ]);
  });

  test("zero-total order is 400", async () => {
    const response = await postOrder(
      orderRequest({ items: [{ sku: "TEA-250G", quantity: 1, unitPrice: 0 }] }),
    );
    const body = (await response.json()) as {
      issues: Array<{ field: string }>;
    };

    expect(response.status).toBe(400);
    expect(body.issues.map((issue) => issue.field)).toEqual(["body.items"]);
  });

  test("application/json-seq is 400", async () => {
    const response = await postOrder(orderRequest(), {
      "content-type": "application/json-seq",
    });

    expect(response.status).toBe(400);
  });

  test("malformed JSON is 400", async () => {
    const response = await postOrder("{not json");

    expect(response.status).toBe(400);
  });

  test("unknown order is 404", async () => {
    const response = await fetch(`${emulator.httpUrl}/orders/ord_missing`);

    expect(response.status).toBe(404);
  });

  test("unknown route is 404", async () => {
    const response = await fetch(`${emulator.httpUrl}/nothing-here`);

    expect(response.status).toBe(404);
  });

  test("known path with another method is 405", async () => {
    const response = await fetch(`${emulator.httpUrl}/orders`, {
      method: "DELETE",
    });

    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  test("every request gets a fresh request id", async () => {
    const first = await fetch(`${emulator.httpUrl}/orders/ord_missing`);
    const second = await fetch(`${emulator.httpUrl}/orders/ord_missing`);

    expect(first.headers.get("x-request-id")).toBeTruthy();
    expect(first.headers.get("x-request-id")).not.toBe(
      second.headers.get("x-request-id"),
    );
  });
});

describe("emulator guards", () => {
  test("malformed escape in order id is 400", async () => {
    const response = await fetch(`${emulator.httpUrl}/orders/%ZZ`);

    expect(response.status).toBe(400);
  });

  test("unknown fault is 400", async () => {
    const response = await fetch(`${emulator.httpUrl}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ bogus: true }),
    });

    expect(response.status).toBe(400);
    expect(emulator.faults).not.toHaveProperty("bogus");
  });

  test("second emulator on one data folder is refused", async () => {
    await expect(
      startTestEmulator({ dataDir: emulator.dataDir }),
    ).rejects.toThrow(/already runs/);
  });
});

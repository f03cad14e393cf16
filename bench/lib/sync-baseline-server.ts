import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { PermanentError } from "../../src/errors";
import { orderRequestSchema, totalOf } from "../../src/orders/order-request";
import { PaymentClient } from "../../src/payments/payment-client";
import { CarrierClient } from "../../src/shipping/carrier-client";
import { SqliteOrderStore } from "../../src/storage/sqlite";
import { listenOnLoopback } from "./listen";

export interface SyncBaselineOptions {
  dbPath: string;
  payment: { url: string; apiKey: string };
  carrier: { url: string; apiKey: string };
  /** Time a request may take, retries included, before it answers 504, in ms. */
  deadlineMs: number;
}

export interface SyncBaselineServer {
  url: string;
  close(): Promise<void>;
}

type Reply = { status: number; body: unknown };

/**
 * Starts the synchronous design the pipeline replaces: `POST /orders`
 * validates the order with the same schema, stores it, charges the payment
 * provider and books the carrier inside the request, with the pipeline's
 * provider clients (same retries and backoff), and answers 201 only when
 * the order is shipped. A provider failure answers 502 or 503; a request
 * that runs past `deadlineMs` answers 504, as an API gateway would.
 */
export async function startSyncBaselineServer(
  options: SyncBaselineOptions,
): Promise<SyncBaselineServer> {
  const store = new SqliteOrderStore(options.dbPath);
  const payments = new PaymentClient({
    baseUrl: options.payment.url,
    apiKey: options.payment.apiKey,
    timeoutMs: 3_000,
  });
  const carrier = new CarrierClient({
    baseUrl: options.carrier.url,
    apiKey: options.carrier.apiKey,
    timeoutMs: 3_000,
  });

  async function placeOrder(text: string): Promise<Reply> {
    const deadline = Date.now() + options.deadlineMs;
    const parsed = orderRequestSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return { status: 400, body: { error: "invalid" } };
    const request = parsed.data;
    const orderId = `ord_${randomUUID().replace(/-/g, "")}`;
    const totalAmount = totalOf(request.items);
    await store.createOrder(
      { ...request, orderId, totalAmount, createdAt: new Date().toISOString() },
      [],
    );

    const charge = await payments.charge({
      orderId,
      amount: totalAmount,
      currency: request.currency,
      token: request.paymentToken,
      idempotencyKey: `charge-${orderId}`,
      deadline,
    });
    await store.transition({
      orderId,
      to: "paid",
      at: new Date().toISOString(),
      patch: { paymentReference: charge.id },
    });
    const shipment = await carrier.createShipment({
      orderId,
      address: request.shippingAddress,
      items: request.items,
      idempotencyKey: `shipment-${orderId}`,
      deadline,
    });
    await store.transition({
      orderId,
      to: "shipped",
      at: new Date().toISOString(),
      patch: {
        trackingNumber: shipment.trackingNumber,
        carrier: shipment.carrier,
      },
    });
    return { status: 201, body: { orderId, status: "shipped" } };
  }

  function replyFor(error: unknown, started: number): Reply {
    if (Date.now() - started >= options.deadlineMs)
      return { status: 504, body: { error: "timed out" } };
    if (error instanceof PermanentError)
      return { status: 502, body: { error: error.code } };
    return { status: 503, body: { error: (error as Error).message } };
  }

  const server: Server = createServer((request, response) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      placeOrder(Buffer.concat(chunks).toString("utf8"))
        .catch((error: unknown) => replyFor(error, started))
        .then((reply) => {
          const text = JSON.stringify(reply.body);
          response.writeHead(reply.status, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(text),
          });
          response.end(text);
        });
    });
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          void store.close().then(() => resolve());
        });
        server.closeAllConnections();
      }),
  };
}

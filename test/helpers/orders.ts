import { randomUUID } from "node:crypto";
import type { OrderRequest } from "../../src/orders/order-request";
import type { NewOrder, OutboxMessage } from "../../src/storage/order-store";

/** Builds a valid `POST /orders` body; `overrides` replace top-level fields. */
export function orderRequest(
  overrides: Partial<OrderRequest> = {},
): OrderRequest {
  return {
    customerId: "c-1001",
    currency: "CNY",
    items: [{ sku: "TEA-250G", quantity: 2, unitPrice: 4800 }],
    paymentToken: "tok_ok",
    shippingAddress: {
      name: "Test Customer",
      line1: "1 Example Rd",
      city: "Shenzhen",
      postalCode: "518000",
      country: "CN",
    },
    ...overrides,
  };
}

/** Builds a new order ready for `OrderStore.createOrder`. */
export function newOrder(overrides: Partial<NewOrder> = {}): NewOrder {
  return {
    ...orderRequest(),
    orderId: `ord_${randomUUID().replace(/-/g, "")}`,
    totalAmount: 9600,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/** Builds an outbox row for `orderId`. */
export function outboxMessage(
  orderId: string,
  overrides: Partial<OutboxMessage> = {},
): OutboxMessage {
  const messageId = `msg_${randomUUID()}`;
  return {
    messageId,
    topic: "order-created",
    tag: "order.created",
    orderId,
    body: JSON.stringify({ messageId, orderId }),
    createdAt: new Date().toISOString(),
    attempts: 0,
    ...overrides,
  };
}

import type { Config } from "../config/config";
import { createEnvelope } from "../messaging/envelope";
import { outboxMessageOf } from "../messaging/outbox";
import type {
  OrderStore,
  OutboxMessage,
  StalledOrder,
} from "../storage/order-store";

/** Stalled orders requeued per relay run. */
const REQUEUE_LIMIT = 100;

/**
 * Builds the message that restarts a stalled order's next step: `order.created`
 * for an unpaid order, `order.paid` for one awaiting shipment or its
 * refund. Consumers skip steps already done, so a requeue is harmless.
 */
function restartMessage(
  order: StalledOrder,
  topics: Config["topics"],
): OutboxMessage | undefined {
  if (order.status === "pending") {
    return outboxMessageOf(
      createEnvelope("order.created", order.orderId, { requeued: true }),
      topics.orderCreated,
    );
  }
  if (order.status === "paid" || order.status === "shipping_failed") {
    const data = { paymentReference: order.paymentReference, requeued: true };
    return outboxMessageOf(
      createEnvelope("order.paid", order.orderId, data),
      topics.orderPaid,
    );
  }
  return undefined;
}

/**
 * Stores a fresh message for each order that has not moved for
 * `stalledOrderSeconds`, because its message may have run out of retries.
 * In the cloud SCF drops such an event unless a dead-letter queue is set up.
 * Each order is requeued at most once per period. Returns the messages,
 * which the caller publishes.
 */
export function requeueStalledOrders(
  store: OrderStore,
  config: Config,
  now = new Date(),
): Promise<OutboxMessage[]> {
  const before = new Date(now.getTime() - config.stalledOrderSeconds * 1000);
  return store.requeueStalledOrders({
    before: before.toISOString(),
    now: now.toISOString(),
    limit: REQUEUE_LIMIT,
    messageFor: (order) => restartMessage(order, config.topics),
  });
}

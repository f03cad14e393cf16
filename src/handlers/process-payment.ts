import { PermanentError } from "../errors";
import { createEnvelope } from "../messaging/envelope";
import { flushOutbox, outboxMessageOf } from "../messaging/outbox";
import type { PaymentClient } from "../payments/payment-client";
import type { Instance } from "../runtime/instance";
import {
  type BatchResult,
  processBatch,
  type RecordOutcome,
  type RecordWork,
} from "./queue-batch";

/** Returns the payment provider's idempotency key for an order's charge. */
export function chargeKeyOf(orderId: string): string {
  return `charge-${orderId}`;
}

/**
 * Handles `order.created` messages: charges the order once, then marks it
 * `paid` and emits `order.paid`, or marks it `payment_failed` with the
 * provider's reason. A message for an order that is no longer `pending`
 * is a redelivery and is skipped.
 */
export function processPaymentHandler(
  instance: Instance,
  payments: PaymentClient,
) {
  const { store, publisher, config } = instance;

  async function handle({
    envelope,
    log,
    deadline,
  }: RecordWork): Promise<RecordOutcome> {
    const order = await store.getOrder(envelope.orderId);
    if (!order)
      throw new PermanentError(
        "order_not_found",
        `order ${envelope.orderId} not found`,
      );
    if (order.status !== "pending") {
      log.info(
        { status: order.status },
        "order is past payment; duplicate message skipped",
      );
      return "skipped";
    }

    const now = () => new Date().toISOString();
    let chargeId: string;
    try {
      const charge = await payments.charge({
        orderId: order.orderId,
        amount: order.totalAmount,
        currency: order.currency,
        token: order.paymentToken,
        idempotencyKey: chargeKeyOf(order.orderId),
        deadline,
      });
      chargeId = charge.id;
    } catch (error) {
      if (!(error instanceof PermanentError)) throw error;
      // A provider may quote the token in its message, as the payment
      // sandbox does for an unknown one, and the reason is logged and
      // returned by GET /orders/{id}.
      const reason = `${error.code}: ${error.message}`
        .split(order.paymentToken)
        .join("[Redacted]");
      await store.transition({
        orderId: order.orderId,
        to: "payment_failed",
        at: now(),
        reason,
        patch: { failureReason: reason },
      });
      log.info({ reason }, "payment failed");
      return "processed";
    }

    const paid = createEnvelope("order.paid", order.orderId, {
      paymentReference: chargeId,
    });
    const outbox = [outboxMessageOf(paid, config.topics.orderPaid)];
    const outcome = await store.transition({
      orderId: order.orderId,
      to: "paid",
      at: now(),
      patch: { paymentReference: chargeId },
      outbox,
    });
    if (outcome.kind !== "applied") {
      log.warn(
        { outcome: outcome.kind },
        "order changed during payment; charge kept, no message emitted",
      );
      return "skipped";
    }
    if (publisher) await flushOutbox(outbox, store, publisher, log);
    log.info({ paymentReference: chargeId }, "order paid");
    return "processed";
  }

  return function main_handler(
    event: unknown,
    context: unknown,
  ): Promise<BatchResult> {
    return processBatch(
      event,
      context,
      instance,
      "process-payment",
      "order.created",
      handle,
    );
  };
}

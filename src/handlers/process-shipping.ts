import { PermanentError } from "../errors";
import type { Order } from "../orders/order";
import type { PaymentClient } from "../payments/payment-client";
import type { Instance } from "../runtime/instance";
import type { CarrierClient } from "../shipping/carrier-client";
import {
  type BatchResult,
  processBatch,
  type RecordOutcome,
  type RecordWork,
} from "./queue-batch";

/** Returns the carrier's idempotency key for an order's shipment. */
export function shipmentKeyOf(orderId: string): string {
  return `shipment-${orderId}`;
}

/** Returns the payment provider's idempotency key for an order's refund. */
export function refundKeyOf(orderId: string): string {
  return `refund-${orderId}`;
}

const now = () => new Date().toISOString();

/**
 * Handles `order.paid` messages: books the shipment and marks the order
 * `shipped`. When the carrier rejects the shipment for good, the order
 * moves to `shipping_failed` and the charge is refunded (`refunded`). An
 * order found in `shipping_failed` resumes that refund, so a retry after a
 * failed refund completes the compensation.
 */
export function processShippingHandler(
  instance: Instance,
  carrier: CarrierClient,
  payments: PaymentClient,
) {
  const { store } = instance;

  async function refund(
    order: Order,
    work: RecordWork,
  ): Promise<RecordOutcome> {
    if (!order.paymentReference) {
      throw new PermanentError(
        "missing_payment_reference",
        `order ${order.orderId} has no charge to refund`,
      );
    }
    const result = await payments.refund({
      chargeId: order.paymentReference,
      amount: order.totalAmount,
      idempotencyKey: refundKeyOf(order.orderId),
      deadline: work.deadline,
    });
    await store.transition({
      orderId: order.orderId,
      to: "refunded",
      at: now(),
      reason: `payment ${order.paymentReference} refunded`,
      patch: { refundReference: result.id },
    });
    work.log.info(
      { refundReference: result.id },
      "order refunded after shipping failed",
    );
    return "processed";
  }

  async function ship(order: Order, work: RecordWork): Promise<RecordOutcome> {
    try {
      const shipment = await carrier.createShipment({
        orderId: order.orderId,
        address: order.shippingAddress,
        items: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
        idempotencyKey: shipmentKeyOf(order.orderId),
        deadline: work.deadline,
      });
      await store.transition({
        orderId: order.orderId,
        to: "shipped",
        at: now(),
        patch: {
          trackingNumber: shipment.trackingNumber,
          carrier: shipment.carrier,
        },
      });
      work.log.info(
        { trackingNumber: shipment.trackingNumber },
        "order shipped",
      );
      return "processed";
    } catch (error) {
      if (!(error instanceof PermanentError)) throw error;
      const reason = `${error.code}: ${error.message}`;
      const failed = await store.transition({
        orderId: order.orderId,
        to: "shipping_failed",
        at: now(),
        reason,
        patch: { failureReason: reason },
      });
      work.log.warn({ reason }, "shipping failed; refunding the payment");
      if (failed.kind !== "applied") return "skipped";
      return refund(failed.order, work);
    }
  }

  async function handle(work: RecordWork): Promise<RecordOutcome> {
    const order = await store.getOrder(work.envelope.orderId);
    if (!order)
      throw new PermanentError(
        "order_not_found",
        `order ${work.envelope.orderId} not found`,
      );
    if (order.status === "paid") return ship(order, work);
    if (order.status === "shipping_failed") return refund(order, work);

    work.log.info(
      { status: order.status },
      "order is not awaiting shipment; message skipped",
    );
    return "skipped";
  }

  return function main_handler(
    event: unknown,
    context: unknown,
  ): Promise<BatchResult> {
    return processBatch(
      event,
      context,
      instance,
      "process-shipping",
      "order.paid",
      handle,
    );
  };
}

import type { Order } from "./order";

/**
 * The public JSON of an order, as `GET /orders/{id}` returns it. The
 * payment token stays out.
 */
export function orderView(order: Order): Record<string, unknown> {
  const view: Record<string, unknown> = {
    orderId: order.orderId,
    status: order.status,
    customerId: order.customerId,
    currency: order.currency,
    totalAmount: order.totalAmount,
    items: order.items,
    shippingAddress: order.shippingAddress,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
  if (order.paymentReference)
    view.payment = { reference: order.paymentReference };
  if (order.trackingNumber)
    view.shipment = {
      trackingNumber: order.trackingNumber,
      carrier: order.carrier,
    };
  if (order.refundReference) view.refund = { reference: order.refundReference };
  if (order.failureReason) view.failureReason = order.failureReason;
  view.history = order.history;
  return view;
}

/** Builds the response body of `POST /orders`. */
export function acceptedView(order: Order): Record<string, unknown> {
  return {
    orderId: order.orderId,
    status: order.status,
    totalAmount: order.totalAmount,
    currency: order.currency,
    createdAt: order.createdAt,
    links: { self: `/orders/${order.orderId}` },
  };
}

import type { OrderStatus } from "./order";

/**
 * The allowed moves of an order. Shipping that fails after payment moves
 * to `shipping_failed`, and the refund that compensates it to `refunded`.
 */
export const TRANSITIONS: Readonly<
  Record<OrderStatus, readonly OrderStatus[]>
> = {
  pending: ["paid", "payment_failed"],
  paid: ["shipped", "shipping_failed"],
  shipping_failed: ["refunded"],
  payment_failed: [],
  shipped: [],
  refunded: [],
};

/** Statuses an order never leaves. */
export const FINAL_STATUSES: readonly OrderStatus[] = [
  "shipped",
  "payment_failed",
  "refunded",
];

/** Tells whether an order may move from `from` to `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isFinal(status: OrderStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

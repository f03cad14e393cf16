/** Every status an order can have; see `state-machine.ts` for the moves. */
export const ORDER_STATUSES = [
  "pending",
  "paid",
  "payment_failed",
  "shipped",
  "shipping_failed",
  "refunded",
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderItem {
  sku: string;
  quantity: number;
  /** Price of one unit in the currency's minor unit (fen for CNY). */
  unitPrice: number;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2 country code. */
  country: string;
}

/** One stored status change of an order. */
export interface HistoryEntry {
  status: OrderStatus;
  /** ISO 8601 time of the change. */
  at: string;
  reason?: string;
}

export interface Order {
  orderId: string;
  status: OrderStatus;
  customerId: string;
  /** ISO 4217 currency code. */
  currency: string;
  items: OrderItem[];
  /** Sum of quantity times unit price, in minor units. */
  totalAmount: number;
  shippingAddress: ShippingAddress;
  /** The payment provider's token for the customer's card; never card data. */
  paymentToken: string;
  paymentReference?: string;
  refundReference?: string;
  trackingNumber?: string;
  carrier?: string;
  /** Reason the order ended in a failed status. */
  failureReason?: string;
  createdAt: string;
  updatedAt: string;
  history: HistoryEntry[];
  /** Digest of the API key that created the order, when API keys are set. */
  clientId?: string;
}

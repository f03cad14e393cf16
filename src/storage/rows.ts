import type { HistoryEntry, Order, OrderStatus } from "../orders/order";
import type {
  DeadLetterRecord,
  OutboxMessage,
  StalledOrder,
} from "./order-store";

/** An `orders` row as both SQL adapters read it. */
export interface OrderRow {
  order_id: string;
  status: string;
  customer_id: string;
  currency: string;
  items: string;
  total_amount: number | string | bigint;
  shipping_address: string;
  payment_token: string;
  payment_reference: string | null;
  refund_reference: string | null;
  tracking_number: string | null;
  carrier: string | null;
  failure_reason: string | null;
  /** Added by migration 003; absent from rows read before it ran. */
  client_id?: string | null;
  created_at: string;
  updated_at: string;
}

export interface HistoryRow {
  status: string;
  reason: string | null;
  at: string;
}

export interface OutboxRow {
  message_id: string;
  topic: string;
  tag: string;
  order_id: string;
  body: string;
  created_at: string;
  sent_at: string | null;
  attempts: number | string;
  last_error: string | null;
}

export interface DeadLetterRow {
  id: string;
  source: string;
  message_id: string | null;
  order_id: string | null;
  reason: string;
  payload: string;
  created_at: string;
}

function optional(value: string | null): string | undefined {
  return value === null ? undefined : value;
}

/** Builds an order from its row and history rows (oldest first). */
export function orderFromRows(row: OrderRow, history: HistoryRow[]): Order {
  const entries: HistoryEntry[] = history.map((entry) => ({
    status: entry.status as OrderStatus,
    at: entry.at,
    ...(entry.reason === null ? {} : { reason: entry.reason }),
  }));
  const order: Order = {
    orderId: row.order_id,
    status: row.status as OrderStatus,
    customerId: row.customer_id,
    currency: row.currency,
    items: JSON.parse(row.items),
    totalAmount: Number(row.total_amount),
    shippingAddress: JSON.parse(row.shipping_address),
    paymentToken: row.payment_token,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    history: entries,
  };
  const extras = {
    paymentReference: optional(row.payment_reference),
    refundReference: optional(row.refund_reference),
    trackingNumber: optional(row.tracking_number),
    carrier: optional(row.carrier),
    failureReason: optional(row.failure_reason),
    clientId: optional(row.client_id ?? null),
  };
  for (const [key, value] of Object.entries(extras)) {
    if (value !== undefined) Object.assign(order, { [key]: value });
  }
  return order;
}

export function outboxFromRow(row: OutboxRow): OutboxMessage {
  const message: OutboxMessage = {
    messageId: row.message_id,
    topic: row.topic,
    tag: row.tag,
    orderId: row.order_id,
    body: row.body,
    createdAt: row.created_at,
    attempts: Number(row.attempts),
  };
  if (row.sent_at !== null) message.sentAt = row.sent_at;
  if (row.last_error !== null) message.lastError = row.last_error;
  return message;
}

export function deadLetterFromRow(row: DeadLetterRow): DeadLetterRecord {
  const record: DeadLetterRecord = {
    id: row.id,
    source: row.source,
    reason: row.reason,
    payload: row.payload,
    createdAt: row.created_at,
  };
  if (row.message_id !== null) record.messageId = row.message_id;
  if (row.order_id !== null) record.orderId = row.order_id;
  return record;
}

/** Column values of a patch, `undefined` for the ones it leaves alone. */
export function patchColumns(
  patch: Record<string, string | undefined> = {},
): Array<[string, string]> {
  const columns: Record<string, string> = {
    paymentReference: "payment_reference",
    refundReference: "refund_reference",
    trackingNumber: "tracking_number",
    carrier: "carrier",
    failureReason: "failure_reason",
  };
  const result: Array<[string, string]> = [];
  for (const [field, column] of Object.entries(columns)) {
    const value = patch[field];
    if (value !== undefined) result.push([column, value]);
  }
  return result;
}

/** Maps a stalled-order query row. */
export function stalledOrderOf(row: {
  order_id: string;
  status: string;
  payment_reference: string | null;
}): StalledOrder {
  const order: StalledOrder = {
    orderId: row.order_id,
    status: row.status as OrderStatus,
  };
  if (row.payment_reference !== null)
    order.paymentReference = row.payment_reference;
  return order;
}

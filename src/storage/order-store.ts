import type {
  Order,
  OrderItem,
  OrderStatus,
  ShippingAddress,
} from "../orders/order";

/** A message stored with the state change that emits it (transactional outbox). */
export interface OutboxMessage {
  messageId: string;
  /** CMQ topic name the relay publishes to. */
  topic: string;
  orderId: string;
  /** The serialized envelope, published as `MsgContent`. */
  body: string;
  /** Message type, published as the CMQ tag. */
  tag: string;
  createdAt: string;
  attempts: number;
  sentAt?: string;
  lastError?: string;
}

export interface NewOrder {
  orderId: string;
  customerId: string;
  currency: string;
  items: OrderItem[];
  totalAmount: number;
  shippingAddress: ShippingAddress;
  paymentToken: string;
  createdAt: string;
  /** Digest of the API key that sent the order, when API keys are set. */
  clientId?: string;
}

/** The client's `Idempotency-Key` with a hash of the request it came with. */
export interface IdempotencyInput {
  key: string;
  requestHash: string;
  /** How long the key is honoured after first use. */
  ttlSeconds: number;
}

export type CreateOrderOutcome =
  | { kind: "created"; order: Order }
  | { kind: "replayed"; order: Order }
  | { kind: "conflict"; orderId: string };

/** Fields a transition may set besides the status. */
export interface OrderPatch {
  paymentReference?: string;
  refundReference?: string;
  trackingNumber?: string;
  carrier?: string;
  failureReason?: string;
}

export interface TransitionInput {
  orderId: string;
  to: OrderStatus;
  at: string;
  reason?: string;
  patch?: OrderPatch;
  /** Messages stored in the same transaction as the status change. */
  outbox?: OutboxMessage[];
}

/**
 * Result of a transition: `applied` when the status changed. `skipped`
 * when the state machine does not allow the move from the current status,
 * as for a redelivered message, and then it carries the order as it is.
 */
export type TransitionOutcome =
  | { kind: "applied"; order: Order }
  | { kind: "skipped"; order: Order }
  | { kind: "not_found" };

/** An order that stopped moving before a final status. */
export interface StalledOrder {
  orderId: string;
  status: OrderStatus;
  paymentReference?: string;
}

export interface RequeueInput {
  /** Orders whose last change and last requeue are older than this. */
  before: string;
  now: string;
  limit: number;
  /** The message that restarts the order's next step, if there is one. */
  messageFor: (order: StalledOrder) => OutboxMessage | undefined;
}

/** A queue record a consumer could not process and will never retry. */
export interface DeadLetterRecord {
  id: string;
  /** Function that dead-lettered the record. */
  source: string;
  messageId?: string;
  orderId?: string;
  reason: string;
  /** The record as received, as JSON text. */
  payload: string;
  createdAt: string;
}

/**
 * Storage of orders, their history, the outbox and idempotency keys. Both
 * adapters (SQLite and PostgreSQL) pass one contract test suite.
 */
export interface OrderStore {
  /** Applies pending schema migrations; safe to call on every cold start. */
  migrate(): Promise<void>;

  /**
   * Stores a new order, its first history row and its outbox messages in
   * one transaction. With an idempotency key already used for the same
   * request it returns the first order instead (`replayed`); with a
   * different request, `conflict`. Expired keys count as unused.
   */
  createOrder(
    order: NewOrder,
    outbox: OutboxMessage[],
    idempotency?: IdempotencyInput,
  ): Promise<CreateOrderOutcome>;

  getOrder(orderId: string): Promise<Order | undefined>;

  /** Moves an order to `to` if the state machine allows it, atomically. */
  transition(input: TransitionInput): Promise<TransitionOutcome>;

  /** Outbox messages not yet published and created before `createdBefore`. */
  unsentOutbox(limit: number, createdBefore: string): Promise<OutboxMessage[]>;

  markOutboxSent(messageIds: string[], at: string): Promise<void>;

  markOutboxFailed(messageId: string, error: string): Promise<void>;

  /**
   * Finds orders in a non-final status that neither changed nor were
   * requeued since `before`, stores `messageFor`'s message for each in the
   * outbox and records the requeue, in one transaction. Returns the new
   * outbox messages.
   */
  requeueStalledOrders(input: RequeueInput): Promise<OutboxMessage[]>;

  recordDeadLetter(record: DeadLetterRecord): Promise<void>;

  listDeadLetters(limit: number): Promise<DeadLetterRecord[]>;

  close(): Promise<void>;
}

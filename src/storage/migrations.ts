/**
 * Schema migrations, applied in order and recorded in `schema_migrations`.
 * The SQL is portable between SQLite and PostgreSQL: text timestamps in
 * ISO 8601 UTC (which sort as text), BIGINT amounts, JSON as text.
 */
export interface Migration {
  id: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: "001_orders",
    sql: `
CREATE TABLE orders (
  order_id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  items TEXT NOT NULL,
  total_amount BIGINT NOT NULL,
  shipping_address TEXT NOT NULL,
  payment_token TEXT NOT NULL,
  payment_reference TEXT,
  refund_reference TEXT,
  tracking_number TEXT,
  carrier TEXT,
  failure_reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE order_history (
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  at TEXT NOT NULL,
  PRIMARY KEY (order_id, seq)
);
CREATE TABLE outbox (
  message_id TEXT PRIMARY KEY,
  topic TEXT NOT NULL,
  tag TEXT NOT NULL,
  order_id TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL;
CREATE TABLE idempotency_keys (
  idempotency_key TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  order_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE dead_letters (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  message_id TEXT,
  order_id TEXT,
  reason TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`,
  },
  {
    id: "002_order_requeue",
    sql: `
ALTER TABLE orders ADD COLUMN last_requeued_at TEXT;
CREATE INDEX orders_open ON orders (updated_at)
  WHERE status NOT IN ('shipped', 'payment_failed', 'refunded');
`,
  },
  {
    // A digest of the API key that created the order, so that get-order
    // shows an order only to its client; NULL when no API keys are set.
    id: "003_order_client",
    sql: `
ALTER TABLE orders ADD COLUMN client_id TEXT;
`,
  },
];

/**
 * SQL text of the PostgreSQL OrderStore, with `$n` placeholders. Timestamps
 * are ISO 8601 UTC text of one fixed width, so text comparison and ORDER BY
 * sort them by time under any collation.
 */

/**
 * Key of the session-level advisory lock that serializes schema migrations
 * across function instances (any constant unique to this application).
 */
export const MIGRATION_LOCK_KEY = 4_711_202_406;

export const CREATE_MIGRATIONS_TABLE =
  "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)";

export const SELECT_APPLIED_MIGRATIONS = "SELECT id FROM schema_migrations";

export const INSERT_MIGRATION =
  "INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)";

export const INSERT_ORDER = `
INSERT INTO orders (order_id, status, customer_id, currency, items, total_amount,
  shipping_address, payment_token, created_at, updated_at, client_id)
VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7, $8, $8, $9)`;

/** Appends a history row; callers hold the order's row lock, so `seq` is unique. */
export const INSERT_HISTORY = `
INSERT INTO order_history (order_id, seq, status, reason, at)
VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM order_history WHERE order_id = $1), $2, $3, $4)`;

export const INSERT_OUTBOX = `
INSERT INTO outbox (message_id, topic, tag, order_id, body, created_at, attempts)
VALUES ($1, $2, $3, $4, $5, $6, 0)`;

/**
 * The order row with its history as a JSON array (oldest first), read in
 * one statement so both come from the same snapshot.
 */
export const SELECT_ORDER_WITH_HISTORY = `
SELECT o.*,
  COALESCE(
    (SELECT json_agg(json_build_object('status', h.status, 'reason', h.reason, 'at', h.at)
       ORDER BY h.seq)
     FROM order_history h WHERE h.order_id = o.order_id),
    '[]'::json) AS history
FROM orders o
WHERE o.order_id = $1`;

export const LOCK_ORDER =
  "SELECT status FROM orders WHERE order_id = $1 FOR UPDATE";

/**
 * Claims an unused idempotency key. When another transaction has inserted
 * an uncommitted row for the same key, PostgreSQL waits for it to end, so of
 * concurrent requests exactly one gets a row back.
 */
export const CLAIM_KEY = `
INSERT INTO idempotency_keys (idempotency_key, request_hash, order_id, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING idempotency_key`;

export const LOCK_KEY = `
SELECT request_hash, order_id, expires_at FROM idempotency_keys
WHERE idempotency_key = $1 FOR UPDATE`;

export const UPSERT_KEY = `
INSERT INTO idempotency_keys (idempotency_key, request_hash, order_id, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (idempotency_key) DO UPDATE SET request_hash = excluded.request_hash,
  order_id = excluded.order_id, created_at = excluded.created_at,
  expires_at = excluded.expires_at`;

export const SELECT_UNSENT_OUTBOX = `
SELECT * FROM outbox WHERE sent_at IS NULL AND created_at < $1
ORDER BY created_at LIMIT $2`;

export const MARK_OUTBOX_SENT = `
UPDATE outbox SET sent_at = $1, attempts = attempts + 1
WHERE message_id = ANY($2::text[])`;

export const MARK_OUTBOX_FAILED = `
UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE message_id = $2`;

export const INSERT_DEAD_LETTER = `
INSERT INTO dead_letters (id, source, message_id, order_id, reason, payload, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (id) DO NOTHING`;

export const SELECT_DEAD_LETTERS =
  "SELECT * FROM dead_letters ORDER BY created_at DESC LIMIT $1";

/** Builds the UPDATE of status, `updated_at` and the given patch columns. */
export function updateOrderSql(columns: string[]): string {
  const sets = ["status = $1", "updated_at = $2"];
  columns.forEach((column, index) => sets.push(`${column} = $${index + 3}`));
  return `UPDATE orders SET ${sets.join(", ")} WHERE order_id = $${columns.length + 3}`;
}

/** Orders in a non-final status untouched since $1, locked for the requeue. */
export const SELECT_STALLED = `
SELECT order_id, status, payment_reference FROM orders
WHERE status NOT IN ('shipped', 'payment_failed', 'refunded')
  AND GREATEST(last_requeued_at, updated_at) < $1
ORDER BY updated_at
LIMIT $2
FOR UPDATE SKIP LOCKED`;

export const MARK_REQUEUED = `
UPDATE orders SET last_requeued_at = $1 WHERE order_id = ANY($2::text[])`;

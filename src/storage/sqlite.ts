import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Order, OrderStatus } from "../orders/order";
import { canTransition } from "../orders/state-machine";
import { MIGRATIONS } from "./migrations";
import type {
  CreateOrderOutcome,
  DeadLetterRecord,
  IdempotencyInput,
  NewOrder,
  OrderStore,
  OutboxMessage,
  RequeueInput,
  TransitionInput,
  TransitionOutcome,
} from "./order-store";
import {
  type DeadLetterRow,
  deadLetterFromRow,
  type HistoryRow,
  orderFromRows,
  type OrderRow,
  type OutboxRow,
  outboxFromRow,
  patchColumns,
  stalledOrderOf,
} from "./rows";

/**
 * Turns `sqlite:path`, `sqlite:///absolute/path` or `sqlite::memory:` into
 * the file name better-sqlite3 opens.
 */
export function sqlitePathOf(databaseUrl: string): string {
  const rest = databaseUrl.replace(/^sqlite:/, "");
  if (rest.startsWith("//")) return rest.slice(2);
  return rest;
}

/**
 * Returns the order `insertOrder` just stored, as `readOrder` would read it
 * back, without the two queries and the JSON parsing of a read.
 */
function createdOrderOf(order: NewOrder): Order {
  return {
    orderId: order.orderId,
    status: "pending",
    customerId: order.customerId,
    currency: order.currency,
    items: order.items,
    totalAmount: order.totalAmount,
    shippingAddress: order.shippingAddress,
    paymentToken: order.paymentToken,
    createdAt: order.createdAt,
    updatedAt: order.createdAt,
    history: [{ status: "pending", at: order.createdAt }],
    ...(order.clientId === undefined ? {} : { clientId: order.clientId }),
  };
}

/** Maximum time a write waits for another connection's write lock, in ms. */
const LOCK_TIMEOUT_MS = 5_000;
/** First and longest pause between tries for the write lock, in ms. */
const LOCK_RETRY_FIRST_MS = 0.05;
const LOCK_RETRY_MAX_MS = 2;
const lockWait = new Int32Array(new SharedArrayBuffer(4));

function isBusy(error: unknown): boolean {
  // Checked by code, not instanceof: the native module keeps the SqliteError
  // class of the first realm that loaded it, so under jest (one realm per
  // test file, one addon per worker) the class differs from this module's.
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

/** Blocks this thread for `ms` (fractions allowed), as SQLite's own lock wait does. */
function pause(ms: number): void {
  Atomics.wait(lockWait, 0, 0, ms);
}

/**
 * Returns an object whose property `name` is `sql[name]` prepared on first
 * use. A cold start runs two or three of these statements, and preparing
 * all of them up front cost about 1 ms of it.
 */
function lazyStatements<Name extends string>(
  db: Database.Database,
  sql: Record<Name, string>,
): Record<Name, Database.Statement> {
  const statements = {} as Record<Name, Database.Statement>;
  for (const name of Object.keys(sql) as Name[]) {
    let prepared: Database.Statement | undefined;
    Object.defineProperty(statements, name, {
      get: () => (prepared ??= db.prepare(sql[name])),
      enumerable: true,
    });
  }
  return statements;
}

/**
 * The embedded OrderStore on one SQLite file in WAL mode. Several processes
 * and threads may open the same file; writers wait up to 5 s for the lock.
 */
export class SqliteOrderStore implements OrderStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly patchStatements = new Map<string, Database.Statement>();

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    // A checkpoint fsyncs the WAL and the database file, and at SQLite's
    // default of every 1000 pages it ran every ~100 orders and took most of
    // a write's time (bench/intake.ts). 4000 pages (16 MiB) keeps the same
    // durability with a quarter of the fsyncs.
    this.db.pragma("wal_autocheckpoint = 4000");
    this.db.pragma("foreign_keys = ON");
    this.applyMigrations();
    this.statements = this.prepareStatements();
  }

  private applyMigrations(): void {
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
    );
    const applied = new Set(
      this.db
        .prepare("SELECT id FROM schema_migrations")
        .all()
        .map((row) => (row as { id: string }).id),
    );
    const record = this.db.prepare(
      "INSERT OR IGNORE INTO schema_migrations (id, applied_at) VALUES (?, ?)",
    );
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.id)) continue;
      // IMMEDIATE takes the write lock first, so two cold starts racing on a
      // new file do not both run the same migration.
      this.db
        .transaction(() => {
          const again = this.db
            .prepare("SELECT 1 FROM schema_migrations WHERE id = ?")
            .get(migration.id);
          if (again) return;
          this.db.exec(migration.sql);
          record.run(migration.id, new Date().toISOString());
        })
        .immediate();
    }
  }

  private prepareStatements() {
    return lazyStatements(this.db, {
      busyTimeoutOff: "PRAGMA busy_timeout = 0",
      busyTimeoutOn: `PRAGMA busy_timeout = ${LOCK_TIMEOUT_MS}`,
      insertOrder: `INSERT INTO orders (order_id, status, customer_id, currency, items, total_amount, shipping_address,
           payment_token, created_at, updated_at, client_id)
         VALUES (@orderId, 'pending', @customerId, @currency, @items, @totalAmount, @shippingAddress,
           @paymentToken, @createdAt, @createdAt, @clientId)`,
      insertHistory: `INSERT INTO order_history (order_id, seq, status, reason, at)
         VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM order_history WHERE order_id = ?), ?, ?, ?)`,
      insertOutbox: `INSERT INTO outbox (message_id, topic, tag, order_id, body, created_at, attempts)
         VALUES (@messageId, @topic, @tag, @orderId, @body, @createdAt, 0)`,
      selectOrder: "SELECT * FROM orders WHERE order_id = ?",
      selectHistory:
        "SELECT status, reason, at FROM order_history WHERE order_id = ? ORDER BY seq",
      selectKey:
        "SELECT request_hash, order_id, expires_at FROM idempotency_keys WHERE idempotency_key = ?",
      upsertKey: `INSERT INTO idempotency_keys (idempotency_key, request_hash, order_id, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (idempotency_key) DO UPDATE SET request_hash = excluded.request_hash,
           order_id = excluded.order_id, created_at = excluded.created_at, expires_at = excluded.expires_at`,
      unsentOutbox:
        "SELECT * FROM outbox WHERE sent_at IS NULL AND created_at < ? ORDER BY created_at LIMIT ?",
      markSent:
        "UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE message_id = ?",
      markFailed:
        "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE message_id = ?",
      insertDeadLetter: `INSERT OR IGNORE INTO dead_letters (id, source, message_id, order_id, reason, payload, created_at)
         VALUES (@id, @source, @messageId, @orderId, @reason, @payload, @createdAt)`,
      selectStalled: `SELECT order_id, status, payment_reference FROM orders
         WHERE status NOT IN ('shipped', 'payment_failed', 'refunded')
           AND CASE WHEN last_requeued_at > updated_at THEN last_requeued_at ELSE updated_at END < ?
         ORDER BY updated_at LIMIT ?`,
      markRequeued: "UPDATE orders SET last_requeued_at = ? WHERE order_id = ?",
      listDeadLetters:
        "SELECT * FROM dead_letters ORDER BY created_at DESC LIMIT ?",
    });
  }

  async migrate(): Promise<void> {
    this.applyMigrations();
  }

  async createOrder(
    order: NewOrder,
    outbox: OutboxMessage[],
    idempotency?: IdempotencyInput,
  ): Promise<CreateOrderOutcome> {
    const run = this.db.transaction((): CreateOrderOutcome => {
      if (idempotency) {
        const existing = this.statements.selectKey.get(idempotency.key) as
          | { request_hash: string; order_id: string; expires_at: string }
          | undefined;
        if (existing && existing.expires_at > order.createdAt) {
          if (existing.request_hash !== idempotency.requestHash) {
            return { kind: "conflict", orderId: existing.order_id };
          }
          const first = this.readOrder(existing.order_id);
          if (first) return { kind: "replayed", order: first };
        }
      }

      this.insertOrder(order, outbox);
      if (idempotency) {
        const expiresAt = new Date(
          Date.parse(order.createdAt) + idempotency.ttlSeconds * 1000,
        ).toISOString();
        this.statements.upsertKey.run(
          idempotency.key,
          idempotency.requestHash,
          order.orderId,
          order.createdAt,
          expiresAt,
        );
      }
      return { kind: "created", order: createdOrderOf(order) };
    });
    // IMMEDIATE so that two requests with one key serialize on the lock
    // instead of both reading "unused" and both inserting.
    return this.withLockRetry(() => run.immediate());
  }

  private insertOrder(order: NewOrder, outbox: OutboxMessage[]): void {
    this.statements.insertOrder.run({
      orderId: order.orderId,
      customerId: order.customerId,
      currency: order.currency,
      items: JSON.stringify(order.items),
      totalAmount: order.totalAmount,
      shippingAddress: JSON.stringify(order.shippingAddress),
      paymentToken: order.paymentToken,
      createdAt: order.createdAt,
      clientId: order.clientId ?? null,
    });
    this.statements.insertHistory.run(
      order.orderId,
      order.orderId,
      "pending",
      null,
      order.createdAt,
    );
    this.insertOutbox(outbox);
  }

  private insertOutbox(outbox: OutboxMessage[]): void {
    for (const message of outbox) {
      this.statements.insertOutbox.run({
        messageId: message.messageId,
        topic: message.topic,
        tag: message.tag,
        orderId: message.orderId,
        body: message.body,
        createdAt: message.createdAt,
      });
    }
  }

  private readOrder(orderId: string): Order | undefined {
    const row = this.statements.selectOrder.get(orderId) as
      OrderRow | undefined;
    if (!row) return undefined;
    const history = this.statements.selectHistory.all(orderId) as HistoryRow[];
    return orderFromRows(row, history);
  }

  async getOrder(orderId: string): Promise<Order | undefined> {
    return this.readOrder(orderId);
  }

  async transition(input: TransitionInput): Promise<TransitionOutcome> {
    const run = this.db.transaction((): TransitionOutcome => {
      const current = this.readOrder(input.orderId);
      if (!current) return { kind: "not_found" };
      if (!canTransition(current.status, input.to))
        return { kind: "skipped", order: current };

      const columns = patchColumns({ ...input.patch });
      this.patchStatement(columns.map(([column]) => column)).run(
        input.to,
        input.at,
        ...columns.map(([, value]) => value),
        input.orderId,
      );
      this.statements.insertHistory.run(
        input.orderId,
        input.orderId,
        input.to,
        input.reason ?? null,
        input.at,
      );
      this.insertOutbox(input.outbox ?? []);
      return { kind: "applied", order: this.readOrder(input.orderId) as Order };
    });
    return this.withLockRetry(() => run.immediate());
  }

  /**
   * Runs `write` (a statement or a transaction that writes) and tries again
   * while another connection has the write lock, for up to 5 s. SQLite's own
   * busy handler sleeps 1, 2, 5, 10 ms and longer between tries, although a
   * write here keeps the lock for well under 1 ms. With the instances of
   * three functions writing one file, those sleeps made up much of each
   * order's time (bench/intake.ts, docs/benchmarks.md). These tries pause
   * 50 us, doubling up to 2 ms, with jitter. Statements outside this wrapper
   * keep SQLite's handler.
   */
  private withLockRetry<T>(write: () => T): T {
    this.statements.busyTimeoutOff.get();
    try {
      const deadline = performance.now() + LOCK_TIMEOUT_MS;
      for (let attempt = 0; ; attempt += 1) {
        try {
          return write();
        } catch (error) {
          if (!isBusy(error) || performance.now() >= deadline) throw error;
          const ceiling = Math.min(
            LOCK_RETRY_MAX_MS,
            LOCK_RETRY_FIRST_MS * 2 ** attempt,
          );
          pause(ceiling / 2 + (Math.random() * ceiling) / 2);
        }
      }
    } finally {
      this.statements.busyTimeoutOn.get();
    }
  }

  private patchStatement(columns: string[]): Database.Statement {
    const key = columns.join(",");
    let statement = this.patchStatements.get(key);
    if (!statement) {
      const sets = [
        "status = ?",
        "updated_at = ?",
        ...columns.map((column) => `${column} = ?`),
      ];
      statement = this.db.prepare(
        `UPDATE orders SET ${sets.join(", ")} WHERE order_id = ?`,
      );
      this.patchStatements.set(key, statement);
    }
    return statement;
  }

  async unsentOutbox(
    limit: number,
    createdBefore: string,
  ): Promise<OutboxMessage[]> {
    const rows = this.statements.unsentOutbox.all(
      createdBefore,
      limit,
    ) as OutboxRow[];
    return rows.map(outboxFromRow);
  }

  async markOutboxSent(messageIds: string[], at: string): Promise<void> {
    const run = this.db.transaction(() => {
      for (const id of messageIds) this.statements.markSent.run(at, id);
    });
    this.withLockRetry(() => run.immediate());
  }

  async markOutboxFailed(messageId: string, error: string): Promise<void> {
    this.withLockRetry(() =>
      this.statements.markFailed.run(error.slice(0, 1000), messageId),
    );
  }

  async requeueStalledOrders(input: RequeueInput): Promise<OutboxMessage[]> {
    const run = this.db.transaction((): OutboxMessage[] => {
      const rows = this.statements.selectStalled.all(
        input.before,
        input.limit,
      ) as Array<{
        order_id: string;
        status: OrderStatus;
        payment_reference: string | null;
      }>;
      const messages: OutboxMessage[] = [];
      for (const row of rows) {
        const message = input.messageFor(stalledOrderOf(row));
        this.statements.markRequeued.run(input.now, row.order_id);
        if (message) messages.push(message);
      }
      this.insertOutbox(messages);
      return messages;
    });
    return run.immediate();
  }

  async recordDeadLetter(record: DeadLetterRecord): Promise<void> {
    this.withLockRetry(() =>
      this.statements.insertDeadLetter.run({
        id: record.id,
        source: record.source,
        messageId: record.messageId ?? null,
        orderId: record.orderId ?? null,
        reason: record.reason,
        payload: record.payload,
        createdAt: record.createdAt,
      }),
    );
  }

  async listDeadLetters(limit: number): Promise<DeadLetterRecord[]> {
    const rows = this.statements.listDeadLetters.all(limit) as DeadLetterRow[];
    return rows.map(deadLetterFromRow);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

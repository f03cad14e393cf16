import type { Pool, PoolClient } from "pg";
import { createLogger, type Logger } from "../logging/logger";
import type { Order } from "../orders/order";
import { canTransition } from "../orders/state-machine";
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
import { applyPostgresMigrations } from "./postgres-migrate";
import { createPool, type PostgresPoolOptions } from "./postgres-pool";
import * as sql from "./postgres-sql";
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

export interface PostgresStoreOptions extends Partial<PostgresPoolOptions> {
  /** Logger for errors of idle pool connections. */
  logger?: Logger;
}

type OrderWithHistoryRow = OrderRow & { history: HistoryRow[] };

/**
 * The OrderStore on PostgreSQL through one `pg` Pool. Create it once per
 * function instance and reuse it across invocations; the pool connects on
 * the first query. BIGINT columns arrive as strings and the row mapping in
 * rows.ts turns them into numbers.
 */
export class PostgresOrderStore implements OrderStore {
  private readonly pool: Pool;
  private readonly logger: Logger;

  constructor(connectionString: string, options: PostgresStoreOptions = {}) {
    const { logger, ...poolOptions } = options;
    this.logger = logger ?? createLogger({ component: "postgres-order-store" });
    this.pool = createPool(connectionString, poolOptions, this.logger);
  }

  async migrate(): Promise<void> {
    await this.applyMigrations();
  }

  /** Applies pending migrations and returns the ids it applied. */
  async applyMigrations(): Promise<string[]> {
    return applyPostgresMigrations(this.pool);
  }

  async createOrder(
    order: NewOrder,
    outbox: OutboxMessage[],
    idempotency?: IdempotencyInput,
  ): Promise<CreateOrderOutcome> {
    return this.transaction(async (client) => {
      if (idempotency) {
        const earlier = await this.claimKey(client, order, idempotency);
        if (earlier) return earlier;
      }

      await client.query(sql.INSERT_ORDER, [
        order.orderId,
        order.customerId,
        order.currency,
        JSON.stringify(order.items),
        order.totalAmount,
        JSON.stringify(order.shippingAddress),
        order.paymentToken,
        order.createdAt,
        order.clientId ?? null,
      ]);
      await client.query(sql.INSERT_HISTORY, [
        order.orderId,
        "pending",
        null,
        order.createdAt,
      ]);
      await insertOutbox(client, outbox);
      const created = await readOrder(client, order.orderId);
      return { kind: "created", order: created as Order };
    });
  }

  /**
   * Takes the idempotency key for `order` and returns undefined, or returns
   * the outcome of the earlier request that used the key. The row lock on
   * an existing key serializes concurrent requests until this transaction
   * ends, so an expired key is taken over by one request only.
   */
  private async claimKey(
    client: PoolClient,
    order: NewOrder,
    idempotency: IdempotencyInput,
  ): Promise<CreateOrderOutcome | undefined> {
    const expiresAt = new Date(
      Date.parse(order.createdAt) + idempotency.ttlSeconds * 1000,
    ).toISOString();
    const keyValues = [
      idempotency.key,
      idempotency.requestHash,
      order.orderId,
      order.createdAt,
      expiresAt,
    ];
    const claimed = await client.query(sql.CLAIM_KEY, keyValues);
    if (claimed.rowCount === 1) return undefined;

    const existing = await client.query<{
      request_hash: string;
      order_id: string;
      expires_at: string;
    }>(sql.LOCK_KEY, [idempotency.key]);
    const row = existing.rows[0];
    if (row && row.expires_at > order.createdAt) {
      if (row.request_hash !== idempotency.requestHash) {
        return { kind: "conflict", orderId: row.order_id };
      }
      const first = await readOrder(client, row.order_id);
      if (first) return { kind: "replayed", order: first };
    }

    await client.query(sql.UPSERT_KEY, keyValues);
    return undefined;
  }

  async getOrder(orderId: string): Promise<Order | undefined> {
    return readOrder(this.pool, orderId);
  }

  async transition(input: TransitionInput): Promise<TransitionOutcome> {
    return this.transaction(async (client): Promise<TransitionOutcome> => {
      // The row lock makes concurrent transitions of one order run one
      // after the other, each seeing the status the previous one set.
      const locked = await client.query<{ status: Order["status"] }>(
        sql.LOCK_ORDER,
        [input.orderId],
      );
      const current = locked.rows[0];
      if (!current) return { kind: "not_found" };
      if (!canTransition(current.status, input.to)) {
        const order = await readOrder(client, input.orderId);
        return { kind: "skipped", order: order as Order };
      }

      const columns = patchColumns({ ...input.patch });
      await client.query(
        sql.updateOrderSql(columns.map(([column]) => column)),
        [
          input.to,
          input.at,
          ...columns.map(([, value]) => value),
          input.orderId,
        ],
      );
      await client.query(sql.INSERT_HISTORY, [
        input.orderId,
        input.to,
        input.reason ?? null,
        input.at,
      ]);
      await insertOutbox(client, input.outbox ?? []);
      const order = await readOrder(client, input.orderId);
      return { kind: "applied", order: order as Order };
    });
  }

  async unsentOutbox(
    limit: number,
    createdBefore: string,
  ): Promise<OutboxMessage[]> {
    const result = await this.pool.query<OutboxRow>(sql.SELECT_UNSENT_OUTBOX, [
      createdBefore,
      limit,
    ]);
    return result.rows.map(outboxFromRow);
  }

  async markOutboxSent(messageIds: string[], at: string): Promise<void> {
    await this.pool.query(sql.MARK_OUTBOX_SENT, [at, messageIds]);
  }

  async markOutboxFailed(messageId: string, error: string): Promise<void> {
    await this.pool.query(sql.MARK_OUTBOX_FAILED, [
      error.slice(0, 1000),
      messageId,
    ]);
  }

  async recordDeadLetter(record: DeadLetterRecord): Promise<void> {
    await this.pool.query(sql.INSERT_DEAD_LETTER, [
      record.id,
      record.source,
      record.messageId ?? null,
      record.orderId ?? null,
      record.reason,
      record.payload,
      record.createdAt,
    ]);
  }

  async listDeadLetters(limit: number): Promise<DeadLetterRecord[]> {
    const result = await this.pool.query<DeadLetterRow>(
      sql.SELECT_DEAD_LETTERS,
      [limit],
    );
    return result.rows.map(deadLetterFromRow);
  }

  /** Ends the pool; later calls are no-ops. */
  async requeueStalledOrders(input: RequeueInput): Promise<OutboxMessage[]> {
    return this.transaction(async (client) => {
      const result = await client.query<{
        order_id: string;
        status: string;
        payment_reference: string | null;
      }>(sql.SELECT_STALLED, [input.before, input.limit]);
      const messages: OutboxMessage[] = [];
      for (const row of result.rows) {
        const message = input.messageFor(stalledOrderOf(row));
        if (message) messages.push(message);
      }
      const ids = result.rows.map((row) => row.order_id);
      if (ids.length > 0)
        await client.query(sql.MARK_REQUEUED, [input.now, ids]);
      await insertOutbox(client, messages);
      return messages;
    });
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  /**
   * Runs `work` between BEGIN and COMMIT on one pooled connection, or
   * ROLLBACK when it throws. A connection whose ROLLBACK fails is closed
   * instead of going back to the pool.
   */
  private async transaction<T>(
    work: (client: PoolClient) => Promise<T>,
  ): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        broken = rollbackError as Error;
        this.logger.warn(
          { err: rollbackError },
          "PostgreSQL ROLLBACK failed; closing the connection",
        );
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

async function insertOutbox(
  client: PoolClient,
  outbox: OutboxMessage[],
): Promise<void> {
  for (const message of outbox) {
    await client.query(sql.INSERT_OUTBOX, [
      message.messageId,
      message.topic,
      message.tag,
      message.orderId,
      message.body,
      message.createdAt,
    ]);
  }
}

async function readOrder(
  queryable: Pool | PoolClient,
  orderId: string,
): Promise<Order | undefined> {
  const result = await queryable.query<OrderWithHistoryRow>(
    sql.SELECT_ORDER_WITH_HISTORY,
    [orderId],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return orderFromRows(row, row.history);
}

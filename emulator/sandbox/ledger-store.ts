import Database from "better-sqlite3";

/** A response stored under an idempotency key, replayed for repeats. */
export interface StoredResponse {
  /** SHA-256 of the method, path and canonical JSON body of the first request. */
  fingerprint: string;
  status: number;
  body: unknown;
}

export interface ChargeRecord {
  id: string;
  status: "succeeded";
  orderId: string;
  amount: number;
  currency: string;
  createdAt: string;
}

export interface RefundRecord {
  id: string;
  chargeId: string;
  amount: number;
  status: "succeeded";
  createdAt: string;
}

export interface ShipmentRecord {
  id: string;
  trackingNumber: string;
  carrier: string;
  status: "created";
  orderId: string;
  createdAt: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS failed_first_attempts (
  key TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS charges (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refunds (
  id TEXT PRIMARY KEY,
  charge_id TEXT NOT NULL REFERENCES charges (id),
  amount INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shipments (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  tracking_number TEXT NOT NULL UNIQUE,
  carrier TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

const SELECT_CHARGES =
  "SELECT id, status, order_id AS orderId, amount, currency, created_at AS createdAt FROM charges";

/**
 * The sandboxes' SQLite file: succeeded charges, refunds and shipments, plus
 * the idempotency keys, so all of them survive a restart on the same path.
 * Each sandbox opens its own file with the full schema, so a payment file
 * also contains an empty shipments table.
 */
export class LedgerStore {
  /** Prepared statements by SQL text: preparing one costs more than running it. */
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(private readonly db: Database.Database) {}

  /** Opens or creates the file in WAL mode and creates missing tables. */
  static open(dbPath: string): LedgerStore {
    const db = new Database(dbPath);
    db.pragma("journal_mode = WAL");
    // NORMAL keeps every committed row across a process crash in WAL mode;
    // only a power loss can drop the last transactions.
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    // A checkpoint every 1000 pages (SQLite's default) fsyncs every few
    // hundred requests under load; orders.db and messages.db use 4000 too.
    db.pragma("wal_autocheckpoint = 4000");
    db.exec(SCHEMA);
    return new LedgerStore(db);
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `work` in one transaction, committing unless it throws. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  findResponse(key: string): StoredResponse | undefined {
    const row = this.statement(
      "SELECT fingerprint, status, body FROM idempotency_keys WHERE key = ?",
    ).get(key) as
      { fingerprint: string; status: number; body: string } | undefined;
    if (!row) return undefined;
    return {
      fingerprint: row.fingerprint,
      status: row.status,
      body: JSON.parse(row.body),
    };
  }

  saveResponse(key: string, response: StoredResponse): void {
    this.statement(
      "INSERT INTO idempotency_keys (key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?)",
    ).run(
      key,
      response.fingerprint,
      response.status,
      JSON.stringify(response.body),
      new Date().toISOString(),
    );
  }

  /** Records a key's first attempt; returns true only the first time for that key. */
  recordFirstAttempt(key: string): boolean {
    const result = this.statement(
      "INSERT OR IGNORE INTO failed_first_attempts (key) VALUES (?)",
    ).run(key);
    return result.changes === 1;
  }

  insertCharge(charge: ChargeRecord): void {
    this.statement(
      "INSERT INTO charges (id, order_id, amount, currency, status, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(
      charge.id,
      charge.orderId,
      charge.amount,
      charge.currency,
      charge.status,
      charge.createdAt,
    );
  }

  findCharge(id: string): ChargeRecord | undefined {
    return this.statement(`${SELECT_CHARGES} WHERE id = ?`).get(id) as
      ChargeRecord | undefined;
  }

  listCharges(): ChargeRecord[] {
    return this.statement(
      `${SELECT_CHARGES} ORDER BY rowid`,
    ).all() as ChargeRecord[];
  }

  /** Sums the refunds of one charge, in minor units. */
  refundedAmount(chargeId: string): number {
    const row = this.statement(
      "SELECT COALESCE(SUM(amount), 0) AS total FROM refunds WHERE charge_id = ?",
    ).get(chargeId) as { total: number };
    return row.total;
  }

  insertRefund(refund: RefundRecord): void {
    this.statement(
      "INSERT INTO refunds (id, charge_id, amount, status, created_at) VALUES (?, ?, ?, ?, ?)",
    ).run(
      refund.id,
      refund.chargeId,
      refund.amount,
      refund.status,
      refund.createdAt,
    );
  }

  listRefunds(): RefundRecord[] {
    return this.statement(
      "SELECT id, charge_id AS chargeId, amount, status, created_at AS createdAt FROM refunds ORDER BY rowid",
    ).all() as RefundRecord[];
  }

  hasTrackingNumber(trackingNumber: string): boolean {
    return (
      this.statement("SELECT 1 FROM shipments WHERE tracking_number = ?").get(
        trackingNumber,
      ) !== undefined
    );
  }

  insertShipment(shipment: ShipmentRecord): void {
    this.statement(
      "INSERT INTO shipments (id, order_id, tracking_number, carrier, status, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(
      shipment.id,
      shipment.orderId,
      shipment.trackingNumber,
      shipment.carrier,
      shipment.status,
      shipment.createdAt,
    );
  }

  listShipments(): ShipmentRecord[] {
    return this.statement(
      `SELECT id, tracking_number AS trackingNumber, carrier, status, order_id AS orderId,
                created_at AS createdAt
         FROM shipments ORDER BY rowid`,
    ).all() as ShipmentRecord[];
  }

  close(): void {
    this.db.close();
  }
}

import { join } from "node:path";
import Database from "better-sqlite3";

/** Returns the id of the order stored under `idempotencyKey` in `dataDir`'s orders.db, if any. */
export function orderIdForKey(
  dataDir: string,
  idempotencyKey: string,
): string | undefined {
  const db = new Database(join(dataDir, "orders.db"), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const row = db
      .prepare(
        "SELECT order_id FROM idempotency_keys WHERE idempotency_key = ?",
      )
      .get(idempotencyKey) as { order_id: string } | undefined;
    return row?.order_id;
  } finally {
    db.close();
  }
}

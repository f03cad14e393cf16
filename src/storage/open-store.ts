import type { OrderStore } from "./order-store";

/**
 * Opens the OrderStore that `databaseUrl` names: `sqlite:` for the
 * embedded file, `postgres:` or `postgresql:` for PostgreSQL. Each adapter
 * is loaded only when used, so a cloud bundle never loads better-sqlite3.
 */
export function openOrderStore(databaseUrl: string): OrderStore {
  if (databaseUrl.startsWith("sqlite:")) {
    const { SqliteOrderStore, sqlitePathOf } =
      require("./sqlite") as typeof import("./sqlite");
    return new SqliteOrderStore(sqlitePathOf(databaseUrl));
  }
  throw new Error(
    `DATABASE_URL scheme is not supported: ${databaseUrl.split(":")[0]}`,
  );
}

import type { OrderStore } from "./order-store";

/**
 * Opens the OrderStore that `databaseUrl` names: `sqlite:` for the
 * embedded file, `postgres:` or `postgresql:` for PostgreSQL, with the pool
 * size from `PG_POOL_MAX` in `env`. Each adapter is loaded only when used,
 * so a cloud bundle never loads better-sqlite3 and a SQLite run never
 * loads pg.
 */
export function openOrderStore(
  databaseUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): OrderStore {
  if (databaseUrl.startsWith("sqlite:")) {
    const { SqliteOrderStore, sqlitePathOf } =
      require("./sqlite") as typeof import("./sqlite");
    return new SqliteOrderStore(sqlitePathOf(databaseUrl));
  }
  if (/^postgres(ql)?:/.test(databaseUrl)) {
    const { PostgresOrderStore } =
      require("./postgres") as typeof import("./postgres");
    const { poolOptionsFromEnv } =
      require("./postgres-pool") as typeof import("./postgres-pool");
    return new PostgresOrderStore(databaseUrl, poolOptionsFromEnv(env));
  }
  throw new Error(
    `DATABASE_URL scheme is not supported: ${databaseUrl.split(":")[0]}`,
  );
}

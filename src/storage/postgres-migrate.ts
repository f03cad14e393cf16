import type { Pool, PoolClient } from "pg";
import { MIGRATIONS } from "./migrations";
import * as sql from "./postgres-sql";

/**
 * Applies pending migrations under an advisory lock, so instances that
 * cold-start together run each migration once, and returns the ids it
 * applied. Each migration runs in its own transaction.
 */
export async function applyPostgresMigrations(pool: Pool): Promise<string[]> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    // Warm path of every cold start: one query and no lock when the schema
    // is current.
    const known = await appliedMigrations(client, false);
    if (MIGRATIONS.every((migration) => known.has(migration.id))) return [];

    await client.query("SELECT pg_advisory_lock($1)", [sql.MIGRATION_LOCK_KEY]);
    await client.query(sql.CREATE_MIGRATIONS_TABLE);
    const applied = await appliedMigrations(client, true);
    const appliedNow: string[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.id)) continue;
      await client.query("BEGIN");
      await client.query(migration.sql);
      await client.query(sql.INSERT_MIGRATION, [
        migration.id,
        new Date().toISOString(),
      ]);
      await client.query("COMMIT");
      appliedNow.push(migration.id);
    }
    await client.query("SELECT pg_advisory_unlock($1)", [
      sql.MIGRATION_LOCK_KEY,
    ]);
    return appliedNow;
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    // Releasing with an error closes the connection, which rolls back an
    // open transaction and drops the advisory lock.
    client.release(failure);
  }
}

/**
 * Reads the ids in `schema_migrations`. Without `mustExist`, a missing
 * table reads as no migrations applied.
 */
async function appliedMigrations(
  client: PoolClient,
  mustExist: boolean,
): Promise<Set<string>> {
  try {
    const result = await client.query<{ id: string }>(
      sql.SELECT_APPLIED_MIGRATIONS,
    );
    return new Set(result.rows.map((row) => row.id));
  } catch (error) {
    const undefinedTable = (error as { code?: string }).code === "42P01";
    if (undefinedTable && !mustExist) return new Set();
    throw error;
  }
}

import { existsSync } from "node:fs";
import { MIGRATIONS } from "../src/storage/migrations";

/**
 * `npm run migrate`: applies pending schema migrations to the database that
 * `DATABASE_URL` names (`postgres:`, `postgresql:` or `sqlite:`) and prints
 * the ids it applied, or that none were pending. Functions also migrate on
 * cold start; running this before a deploy keeps that off the first
 * request.
 */
async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error(
      "DATABASE_URL is missing: set it to postgres://user:password@host:5432/database or sqlite:path",
    );
  }

  if (!/^(postgres|postgresql|sqlite):/.test(databaseUrl)) {
    throw new Error(
      `DATABASE_URL scheme is not supported: ${databaseUrl.split(":")[0]} (use postgres:, postgresql: or sqlite:)`,
    );
  }

  process.stdout.write(`migrating ${redactPassword(databaseUrl)}\n`);
  const applied = await applyMigrations(databaseUrl);
  for (const id of applied) process.stdout.write(`applied ${id}\n`);
  if (applied.length === 0) {
    process.stdout.write(
      `no migrations pending: all ${MIGRATIONS.length} already applied\n`,
    );
  } else {
    process.stdout.write(`${applied.length} migration(s) applied\n`);
  }
}

async function applyMigrations(databaseUrl: string): Promise<string[]> {
  if (/^postgres(ql)?:/.test(databaseUrl)) {
    const { PostgresOrderStore } =
      require("../src/storage/postgres") as typeof import("../src/storage/postgres");
    const store = new PostgresOrderStore(databaseUrl, { max: 1 });
    try {
      return await store.applyMigrations();
    } finally {
      await store.close();
    }
  }
  return applySqliteMigrations(databaseUrl);
}

/**
 * Opens the SQLite store, which applies pending migrations when opened, and
 * returns the ids that were not recorded before.
 */
async function applySqliteMigrations(databaseUrl: string): Promise<string[]> {
  const { SqliteOrderStore, sqlitePathOf } =
    require("../src/storage/sqlite") as typeof import("../src/storage/sqlite");
  const path = sqlitePathOf(databaseUrl);
  const before = recordedSqliteMigrations(path);

  const store = new SqliteOrderStore(path);
  await store.close();
  return MIGRATIONS.map((migration) => migration.id).filter(
    (id) => !before.has(id),
  );
}

function recordedSqliteMigrations(path: string): Set<string> {
  if (path === ":memory:" || !existsSync(path)) return new Set();

  const Database = require("better-sqlite3") as typeof import("better-sqlite3");
  const db = new Database(path, { readonly: true });
  try {
    const table = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
      )
      .get();
    if (!table) return new Set();
    const rows = db.prepare("SELECT id FROM schema_migrations").all();
    return new Set(rows.map((row) => (row as { id: string }).id));
  } finally {
    db.close();
  }
}

function redactPassword(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return `${databaseUrl.split(":")[0]}: URL (unparsable, not shown)`;
  }
}

/**
 * Formats an error for the console. In Node 20 a connection refused on
 * several addresses is an AggregateError with an empty message but a `code`.
 */
function describeError(error: unknown): string {
  const { message, code } = error as { message?: string; code?: string };
  return message || code || String(error);
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${describeError(error)}\n`);
  process.exit(1);
});

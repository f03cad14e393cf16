import { randomUUID } from "node:crypto";
import { Pool } from "pg";
import { ConfigError } from "../../src/config/config";
import { MIGRATIONS } from "../../src/storage/migrations";
import { openOrderStore } from "../../src/storage/open-store";
import { PostgresOrderStore } from "../../src/storage/postgres";
import {
  DEFAULT_POOL_OPTIONS,
  poolOptionsFromEnv,
} from "../../src/storage/postgres-pool";
import { newOrder } from "../helpers/orders";
import { describeOrderStoreContract } from "./order-store-contract";

const databaseUrl = process.env.DATABASE_URL ?? "";
const hasPostgres = /^postgres(ql)?:/.test(databaseUrl);

describe("PostgreSQL pool options", () => {
  test("PG_POOL_MAX defaults to 2", () => {
    expect(poolOptionsFromEnv({}).max).toBe(2);
  });

  test("PG_POOL_MAX sets the pool size", () => {
    expect(poolOptionsFromEnv({ PG_POOL_MAX: "5" })).toEqual({
      ...DEFAULT_POOL_OPTIONS,
      max: 5,
    });
  });

  test.each(["0", "-1", "2.5", "two"])("PG_POOL_MAX rejects %s", (value) => {
    expect(() => poolOptionsFromEnv({ PG_POOL_MAX: value })).toThrow(
      ConfigError,
    );
    expect(() => poolOptionsFromEnv({ PG_POOL_MAX: value })).toThrow(
      /PG_POOL_MAX/,
    );
  });

  test("openOrderStore picks PostgreSQL for both schemes", async () => {
    // The pool connects on the first query, so no server is needed here.
    for (const url of ["postgres://u@127.0.0.1/db", "postgresql://u@h/db"]) {
      const store = openOrderStore(url, {});
      expect(store).toBeInstanceOf(PostgresOrderStore);
      await store.close();
    }
  });
});

if (!hasPostgres) {
  const reason =
    "PostgreSQL contract skipped: set DATABASE_URL=postgres://user@host:5432/db to run it";
  console.warn(reason);
  test.skip(reason, () => undefined);
} else {
  // Each test gets its own schema, chosen through the connection's
  // search_path, and the schema is dropped after the test.
  const admin = new Pool({ connectionString: databaseUrl, max: 1 });
  const schemas: string[] = [];

  const createSchema = async (): Promise<string> => {
    const schema = `test_${randomUUID().replace(/-/g, "")}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    schemas.push(schema);
    return schema;
  };

  const urlWithSchema = (schema: string): string => {
    const url = new URL(databaseUrl);
    url.searchParams.set("options", `-c search_path=${schema}`);
    return url.toString();
  };

  const openStore = async (max = 4): Promise<PostgresOrderStore> =>
    new PostgresOrderStore(urlWithSchema(await createSchema()), { max });

  afterEach(async () => {
    for (const schema of schemas.splice(0)) {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  afterAll(async () => {
    await admin.end();
  });

  describeOrderStoreContract("PostgreSQL", () => openStore());

  describe("PostgreSQL OrderStore", () => {
    test("migrations apply once, then none are pending", async () => {
      const store = await openStore();

      const first = await store.applyMigrations();
      const second = await store.applyMigrations();
      await store.close();

      expect(first).toEqual(MIGRATIONS.map((migration) => migration.id));
      expect(second).toEqual([]);
    });

    test("concurrent cold starts run each migration once", async () => {
      const schema = await createSchema();
      const stores = Array.from(
        { length: 4 },
        () => new PostgresOrderStore(urlWithSchema(schema), { max: 1 }),
      );

      const results = await Promise.all(
        stores.map((store) => store.applyMigrations()),
      );
      await Promise.all(stores.map((store) => store.close()));

      expect(results.flat().sort()).toEqual(
        MIGRATIONS.map((migration) => migration.id).sort(),
      );
      const rows = await admin.query(
        `SELECT id FROM ${schema}.schema_migrations`,
      );
      expect(rows.rowCount).toBe(MIGRATIONS.length);
    });

    test("concurrent keyed requests across pools create one order", async () => {
      const schema = await createSchema();
      const stores = Array.from(
        { length: 3 },
        () => new PostgresOrderStore(urlWithSchema(schema), { max: 2 }),
      );
      await stores[0]?.migrate();
      const key = { key: "key-pools", requestHash: "hash-a", ttlSeconds: 60 };

      const outcomes = await Promise.all(
        stores.flatMap((store) =>
          [newOrder(), newOrder()].map((order) =>
            store.createOrder(order, [], key),
          ),
        ),
      );
      const count = await admin.query(
        `SELECT count(*)::int AS n FROM ${schema}.orders`,
      );
      await Promise.all(stores.map((store) => store.close()));

      const created = outcomes.filter((outcome) => outcome.kind === "created");
      expect(created).toHaveLength(1);
      expect(count.rows[0]?.n).toBe(1);
    });

    test("store rejects queries after close", async () => {
      const store = await openStore();
      await store.migrate();

      await store.close();

      await expect(store.getOrder("ord_any")).rejects.toThrow();
    });

    test("close twice does not throw", async () => {
      const store = await openStore();
      await store.close();

      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}

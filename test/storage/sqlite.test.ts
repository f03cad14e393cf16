import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteOrderStore, sqlitePathOf } from "../../src/storage/sqlite";
import { newOrder } from "../helpers/orders";
import { describeOrderStoreContract } from "./order-store-contract";

const dir = mkdtempSync(join(tmpdir(), "orders-sqlite-"));
let counter = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeOrderStoreContract(
  "SQLite",
  async () => new SqliteOrderStore(join(dir, `orders-${counter++}.db`)),
);

describe("SQLite OrderStore", () => {
  test("sqlitePathOf reads the URL forms", () => {
    expect(sqlitePathOf("sqlite:data/orders.db")).toBe("data/orders.db");
    expect(sqlitePathOf("sqlite:///tmp/orders.db")).toBe("/tmp/orders.db");
    expect(sqlitePathOf("sqlite::memory:")).toBe(":memory:");
  });

  test("orders survive closing and reopening the file", async () => {
    const file = join(dir, "reopen.db");
    const order = newOrder();
    const first = new SqliteOrderStore(file);
    await first.createOrder(order, []);
    await first.close();

    const second = new SqliteOrderStore(file);
    const stored = await second.getOrder(order.orderId);
    await second.close();

    expect(stored?.orderId).toBe(order.orderId);
  });

  test("two connections to one file share orders", async () => {
    const file = join(dir, "shared.db");
    const writer = new SqliteOrderStore(file);
    const reader = new SqliteOrderStore(file);
    const order = newOrder();

    await writer.createOrder(order, []);
    const seen = await reader.getOrder(order.orderId);
    await writer.close();
    await reader.close();

    expect(seen?.status).toBe("pending");
  });
});

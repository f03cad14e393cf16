import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SqliteOrderStore, sqlitePathOf } from "../../src/storage/sqlite";
import { newOrder, outboxMessage } from "../helpers/orders";
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

  describe("sent marks", () => {
    const far = () => new Date(Date.now() + 60_000).toISOString();

    /** Opens a writer and a second connection to one new file, with one unsent message. */
    async function setUp(name: string) {
      const file = join(dir, `${name}.db`);
      const writer = new SqliteOrderStore(file);
      const reader = new SqliteOrderStore(file);
      const order = newOrder();
      const message = outboxMessage(order.orderId);
      await writer.createOrder(order, [message]);
      return { writer, reader, message };
    }

    /** Message ids the other connection sees unsent; reading flushes only that connection's own marks. */
    async function unsentIds(store: SqliteOrderStore): Promise<string[]> {
      return (await store.unsentOutbox(100, far())).map((row) => row.messageId);
    }

    test("ride on the next write", async () => {
      const { writer, reader, message } = await setUp("marks-next-write");
      await writer.markOutboxSent(
        [message.messageId],
        new Date().toISOString(),
      );
      const next = newOrder();
      await writer.createOrder(next, []);
      const unsent = await unsentIds(reader);
      await writer.close();
      await reader.close();

      expect(unsent).toEqual([]);
    });

    test("are written after a pause", async () => {
      const { writer, reader, message } = await setUp("marks-timer");
      await writer.markOutboxSent(
        [message.messageId],
        new Date().toISOString(),
      );
      const before = await unsentIds(reader);
      await sleep(300);
      const after = await unsentIds(reader);
      await writer.close();
      await reader.close();

      expect(before).toEqual([message.messageId]);
      expect(after).toEqual([]);
    });

    test("are written by close", async () => {
      const { writer, reader, message } = await setUp("marks-close");
      await writer.markOutboxSent(
        [message.messageId],
        new Date().toISOString(),
      );
      await writer.close();
      const unsent = await unsentIds(reader);
      await reader.close();

      expect(unsent).toEqual([]);
    });

    test("survive a failed write", async () => {
      const { writer, reader, message } = await setUp("marks-rollback");
      const taken = newOrder();
      await writer.createOrder(taken, []);
      await writer.markOutboxSent(
        [message.messageId],
        new Date().toISOString(),
      );
      // The same order id again violates the primary key and rolls back.
      // The error comes from the native module, outside jest's realm, so
      // its message is checked rather than `rejects.toThrow()`.
      const failure = await writer.createOrder(taken, []).then(
        () => "resolved",
        (error: unknown) => String((error as Error).message),
      );
      await sleep(300);
      const unsent = await unsentIds(reader);
      await writer.close();
      await reader.close();

      expect(failure).toMatch(/UNIQUE constraint failed/);
      expect(unsent).toEqual([]);
    });
  });
});

import type { OrderStore } from "../../src/storage/order-store";
import { newOrder, outboxMessage } from "../helpers/orders";

/**
 * The behaviour every OrderStore adapter must have. Each adapter's test
 * file calls this with a factory that opens a fresh, empty store.
 */
export function describeOrderStoreContract(
  name: string,
  open: () => Promise<OrderStore>,
): void {
  describe(`${name} OrderStore contract`, () => {
    let store: OrderStore;

    beforeEach(async () => {
      store = await open();
      await store.migrate();
    });

    afterEach(async () => {
      await store.close();
    });

    test("createOrder stores order, history and outbox", async () => {
      const order = newOrder();
      const message = outboxMessage(order.orderId);

      const outcome = await store.createOrder(order, [message]);

      expect(outcome.kind).toBe("created");
      const stored = await store.getOrder(order.orderId);
      expect(stored?.status).toBe("pending");
      expect(stored?.totalAmount).toBe(9600);
      expect(stored?.items).toEqual(order.items);
      expect(stored?.shippingAddress).toEqual(order.shippingAddress);
      expect(stored?.history.map((entry) => entry.status)).toEqual(["pending"]);
      const unsent = await store.unsentOutbox(
        10,
        new Date(Date.now() + 1000).toISOString(),
      );
      expect(unsent.map((row) => row.messageId)).toEqual([message.messageId]);
    });

    test("createOrder keeps the client id", async () => {
      const owned = newOrder({ clientId: "client-digest-1" });
      const anonymous = newOrder();
      await store.createOrder(owned, []);
      await store.createOrder(anonymous, []);

      expect((await store.getOrder(owned.orderId))?.clientId).toBe(
        "client-digest-1",
      );
      expect(
        (await store.getOrder(anonymous.orderId))?.clientId,
      ).toBeUndefined();
    });

    test("getOrder returns undefined for unknown id", async () => {
      expect(await store.getOrder("ord_missing")).toBeUndefined();
    });

    test("idempotency key replays the first order", async () => {
      const key = { key: "key-1", requestHash: "hash-a", ttlSeconds: 60 };
      const first = newOrder();
      await store.createOrder(first, [outboxMessage(first.orderId)], key);

      const second = newOrder();
      const outcome = await store.createOrder(
        second,
        [outboxMessage(second.orderId)],
        key,
      );

      expect(outcome.kind).toBe("replayed");
      expect(outcome).toMatchObject({ order: { orderId: first.orderId } });
      expect(await store.getOrder(second.orderId)).toBeUndefined();
    });

    test("idempotency key with another request conflicts", async () => {
      const first = newOrder();
      await store.createOrder(first, [], {
        key: "key-2",
        requestHash: "hash-a",
        ttlSeconds: 60,
      });

      const outcome = await store.createOrder(newOrder(), [], {
        key: "key-2",
        requestHash: "hash-b",
        ttlSeconds: 60,
      });

      expect(outcome).toEqual({ kind: "conflict", orderId: first.orderId });
    });

    test("expired idempotency key counts as unused", async () => {
      const old = newOrder({
        createdAt: new Date(Date.now() - 120_000).toISOString(),
      });
      await store.createOrder(old, [], {
        key: "key-3",
        requestHash: "hash-a",
        ttlSeconds: 60,
      });

      const fresh = newOrder();
      const outcome = await store.createOrder(fresh, [], {
        key: "key-3",
        requestHash: "hash-b",
        ttlSeconds: 60,
      });

      expect(outcome.kind).toBe("created");
      expect(outcome).toMatchObject({ order: { orderId: fresh.orderId } });
    });

    test("concurrent requests with one key create one order", async () => {
      const key = { key: "key-race", requestHash: "hash-a", ttlSeconds: 60 };
      const orders = Array.from({ length: 8 }, () => newOrder());

      const outcomes = await Promise.all(
        orders.map((order) => store.createOrder(order, [], key)),
      );

      expect(
        outcomes.filter((outcome) => outcome.kind === "created"),
      ).toHaveLength(1);
      const ids = new Set(
        outcomes.map((outcome) =>
          outcome.kind === "conflict" ? outcome.orderId : outcome.order.orderId,
        ),
      );
      expect(ids.size).toBe(1);
    });

    test("concurrent requests with expired key create one order", async () => {
      const key = { key: "key-expired", requestHash: "hash-a", ttlSeconds: 60 };
      const old = newOrder({
        createdAt: new Date(Date.now() - 120_000).toISOString(),
      });
      await store.createOrder(old, [], key);
      const orders = Array.from({ length: 6 }, () => newOrder());

      const outcomes = await Promise.all(
        orders.map((order) => store.createOrder(order, [], key)),
      );

      const created = outcomes.filter((outcome) => outcome.kind === "created");
      expect(created).toHaveLength(1);
      const replayed = outcomes.filter(
        (outcome) => outcome.kind === "replayed",
      );
      expect(replayed).toHaveLength(5);
      const ids = new Set(
        outcomes.map((outcome) =>
          outcome.kind === "conflict" ? outcome.orderId : outcome.order.orderId,
        ),
      );
      expect(ids.size).toBe(1);
      expect(ids.has(old.orderId)).toBe(false);
    });

    test("amount above 32 bits round-trips as number", async () => {
      const order = newOrder({ totalAmount: 2 ** 40 + 7 });

      await store.createOrder(order, []);

      const stored = await store.getOrder(order.orderId);
      expect(stored?.totalAmount).toBe(2 ** 40 + 7);
    });

    test("concurrent transitions of one order apply once", async () => {
      const order = newOrder();
      await store.createOrder(order, []);

      const outcomes = await Promise.all(
        ["paid", "paid", "payment_failed", "paid"].map((to) =>
          store.transition({
            orderId: order.orderId,
            to: to as "paid" | "payment_failed",
            at: new Date().toISOString(),
          }),
        ),
      );

      const applied = outcomes.filter((outcome) => outcome.kind === "applied");
      expect(applied).toHaveLength(1);
      const stored = await store.getOrder(order.orderId);
      expect(stored?.history).toHaveLength(2);
    });

    test("transition applies allowed move with patch and history", async () => {
      const order = newOrder();
      await store.createOrder(order, []);
      const paid = outboxMessage(order.orderId, {
        topic: "order-paid",
        tag: "order.paid",
      });

      const outcome = await store.transition({
        orderId: order.orderId,
        to: "paid",
        at: new Date().toISOString(),
        patch: { paymentReference: "ch_1" },
        outbox: [paid],
      });

      expect(outcome.kind).toBe("applied");
      const stored = await store.getOrder(order.orderId);
      expect(stored?.status).toBe("paid");
      expect(stored?.paymentReference).toBe("ch_1");
      expect(stored?.history.map((entry) => entry.status)).toEqual([
        "pending",
        "paid",
      ]);
      const unsent = await store.unsentOutbox(
        10,
        new Date(Date.now() + 1000).toISOString(),
      );
      expect(unsent.map((row) => row.messageId)).toContain(paid.messageId);
    });

    test("transition skips a move the state machine forbids", async () => {
      const order = newOrder();
      await store.createOrder(order, []);

      const outcome = await store.transition({
        orderId: order.orderId,
        to: "shipped",
        at: new Date().toISOString(),
      });

      expect(outcome.kind).toBe("skipped");
      const stored = await store.getOrder(order.orderId);
      expect(stored?.status).toBe("pending");
      expect(stored?.history).toHaveLength(1);
    });

    test("transition stores reason in history", async () => {
      const order = newOrder();
      await store.createOrder(order, []);

      await store.transition({
        orderId: order.orderId,
        to: "payment_failed",
        at: new Date().toISOString(),
        reason: "card_declined: declined",
        patch: { failureReason: "card_declined: declined" },
      });

      const stored = await store.getOrder(order.orderId);
      expect(stored?.history[1]?.reason).toBe("card_declined: declined");
      expect(stored?.failureReason).toBe("card_declined: declined");
    });

    test("transition of unknown order is not_found", async () => {
      const outcome = await store.transition({
        orderId: "ord_missing",
        to: "paid",
        at: new Date().toISOString(),
      });

      expect(outcome.kind).toBe("not_found");
    });

    test("outbox rows leave the unsent list once sent", async () => {
      const order = newOrder();
      const message = outboxMessage(order.orderId);
      await store.createOrder(order, [message]);
      const later = new Date(Date.now() + 1000).toISOString();

      await store.markOutboxFailed(message.messageId, "refused");
      const failed = await store.unsentOutbox(10, later);
      await store.markOutboxSent([message.messageId], new Date().toISOString());

      expect(failed[0]?.attempts).toBe(1);
      expect(failed[0]?.lastError).toBe("refused");
      expect(await store.unsentOutbox(10, later)).toEqual([]);
    });

    test("unsentOutbox leaves out rows newer than the cutoff", async () => {
      const order = newOrder();
      await store.createOrder(order, [outboxMessage(order.orderId)]);

      const rows = await store.unsentOutbox(
        10,
        new Date(Date.now() - 60_000).toISOString(),
      );

      expect(rows).toEqual([]);
    });

    test("dead letters are stored once per id", async () => {
      const record = {
        id: "process-payment:msg-1",
        source: "process-payment",
        messageId: "msg-1",
        reason: "invalid message envelope",
        payload: "{}",
        createdAt: new Date().toISOString(),
      };

      await store.recordDeadLetter(record);
      await store.recordDeadLetter(record);

      const letters = await store.listDeadLetters(10);
      expect(letters).toHaveLength(1);
      expect(letters[0]?.reason).toBe("invalid message envelope");
    });

    test("migrate twice changes nothing", async () => {
      await store.migrate();
      const order = newOrder();

      await store.createOrder(order, []);

      expect((await store.getOrder(order.orderId))?.orderId).toBe(
        order.orderId,
      );
    });

    test("requeueStalledOrders emits for old open orders once", async () => {
      const old = new Date(Date.now() - 60_000).toISOString();
      const stalled = newOrder({ createdAt: old });
      const fresh = newOrder();
      const done = newOrder({ createdAt: old });
      await store.createOrder(stalled, []);
      await store.createOrder(fresh, []);
      await store.createOrder(done, []);
      await store.transition({
        orderId: done.orderId,
        to: "payment_failed",
        at: old,
      });
      const before = new Date(Date.now() - 30_000).toISOString();
      const input = {
        before,
        now: new Date().toISOString(),
        limit: 10,
        messageFor: (order: { orderId: string }) =>
          outboxMessage(order.orderId),
      };

      const first = await store.requeueStalledOrders(input);
      const second = await store.requeueStalledOrders(input);

      expect(first.map((message) => message.orderId)).toEqual([
        stalled.orderId,
      ]);
      expect(second).toEqual([]);
      const unsent = await store.unsentOutbox(
        10,
        new Date(Date.now() + 1000).toISOString(),
      );
      expect(unsent.map((message) => message.orderId)).toEqual([
        stalled.orderId,
      ]);
    });

    test("requeueStalledOrders passes status and payment reference", async () => {
      const old = new Date(Date.now() - 60_000).toISOString();
      const order = newOrder({ createdAt: old });
      await store.createOrder(order, []);
      await store.transition({
        orderId: order.orderId,
        to: "paid",
        at: old,
        patch: { paymentReference: "ch_9" },
      });
      const seen: unknown[] = [];

      await store.requeueStalledOrders({
        before: new Date(Date.now() - 30_000).toISOString(),
        now: new Date().toISOString(),
        limit: 10,
        messageFor: (stalled) => {
          seen.push(stalled);
          return undefined;
        },
      });

      expect(seen).toEqual([
        { orderId: order.orderId, status: "paid", paymentReference: "ch_9" },
      ]);
    });
  });
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  MessageStore,
  MessageStoreError,
  routingKeyMatches,
} from "../../../emulator/messages/message-store";

let dir: string;
let path: string;
let store: MessageStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "message-store-"));
  path = join(dir, "nested", "messages.db");
  store = MessageStore.open(path);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `call` and returns the MessageStoreError it throws. */
function storeError(call: () => unknown): MessageStoreError {
  try {
    call();
  } catch (error) {
    if (error instanceof MessageStoreError) return error;
    throw error;
  }
  throw new Error("expected a MessageStoreError, but the call returned");
}

function subscribeFunction(
  name: string,
  filterTags?: string[],
  topicName = "orders",
) {
  return store.createSubscription({
    topicName,
    subscriptionName: name,
    protocol: "scf",
    endpoint: `fn-${name}`,
    filterTags,
  });
}

describe("topics", () => {
  test("create and get", () => {
    const created = store.createTopic("orders", { maxMsgSize: 1024 });
    expect(created.topicName).toBe("orders");
    expect(created.topicId).toMatch(/^topic-[0-9a-f]{12}$/);
    expect(created.maxMsgSize).toBe(1024);
    expect(created.filterType).toBe(1);
    expect(created.msgRetentionSeconds).toBe(86400);
    expect(created.msgCount).toBe(0);
    expect(created.subscriptionCount).toBe(0);
    expect(store.getTopic("ORDERS")).toEqual(created);
    expect(store.getTopic("missing")).toBeUndefined();
  });

  test("duplicate name is case-insensitive", () => {
    store.createTopic("orders");
    const error = storeError(() => store.createTopic("Orders"));
    expect(error.code).toBe("exists");
    expect(error.resource).toBe("topic");
  });

  test("invalid names are rejected", () => {
    for (const name of ["", "1orders", "orders.v1", "a".repeat(65)]) {
      expect(storeError(() => store.createTopic(name)).code).toBe("invalid");
    }
  });

  test("list filters and pages", () => {
    for (const name of ["orders", "order-events", "payments"])
      store.createTopic(name);
    const byName = store.listTopics({ name: "ORDER" });
    expect(byName.total).toBe(2);
    expect(byName.topics.map((topic) => topic.topicName)).toEqual([
      "orders",
      "order-events",
    ]);
    const byNames = store.listTopics({ names: ["PAYMENTS", "none"] });
    expect(byNames.topics.map((topic) => topic.topicName)).toEqual([
      "payments",
    ]);
    const page = store.listTopics({ offset: 1, limit: 1 });
    expect(page.total).toBe(3);
    expect(page.topics.map((topic) => topic.topicName)).toEqual([
      "order-events",
    ]);
  });

  test("delete removes subscriptions and messages", () => {
    store.createTopic("orders");
    subscribeFunction("pay");
    store.publish("orders", "{}");
    store.deleteTopic("orders");
    expect(store.getTopic("orders")).toBeUndefined();
    expect(store.pendingDeliveries()).toEqual([]);
    expect(store.counts().messages).toBe(0);
    expect(storeError(() => store.deleteTopic("orders")).code).toBe(
      "not_found",
    );
  });
});

describe("queues", () => {
  test("create with attributes and defaults", () => {
    const queue = store.createQueue("payments", {
      visibilityTimeout: 60,
      trace: true,
    });
    expect(queue.queueName).toBe("payments");
    expect(queue.queueId).toMatch(/^queue-/);
    expect(queue.visibilityTimeout).toBe(60);
    expect(queue.trace).toBe(true);
    expect(queue.msgRetentionSeconds).toBe(3600);
    expect(queue.maxMsgSize).toBe(1_048_576);
    expect(store.getQueue("PAYMENTS")?.queueId).toBe(queue.queueId);
  });

  test("unknown or mistyped attributes are invalid", () => {
    expect(
      storeError(() => store.createQueue("q", { visibility: 60 })).code,
    ).toBe("invalid");
    expect(
      storeError(() => store.createQueue("q", { trace: "yes" })).code,
    ).toBe("invalid");
  });

  test("duplicate, list and delete", () => {
    store.createQueue("payments");
    store.createQueue("shipping");
    expect(storeError(() => store.createQueue("Payments")).code).toBe("exists");
    const listed = store.listQueues({ name: "pay" });
    expect(listed.total).toBe(1);
    expect(listed.queues[0]?.queueName).toBe("payments");
    store.deleteQueue("payments");
    expect(store.getQueue("payments")).toBeUndefined();
    expect(storeError(() => store.deleteQueue("payments")).code).toBe(
      "not_found",
    );
  });

  test("send counts active and delayed messages", () => {
    store.createQueue("payments", { msgRetentionSeconds: 60 });
    const sent = store.sendToQueue("payments", "now");
    store.sendToQueue("payments", "later", 30);
    expect(sent.msgId).toMatch(/^[0-9a-f]{32}$/);
    const queue = store.getQueue("payments");
    expect(queue?.activeMsgNum).toBe(1);
    expect(queue?.delayMsgNum).toBe(1);
  });

  test("send rejects a delay beyond retention", () => {
    store.createQueue("payments", { msgRetentionSeconds: 60 });
    expect(storeError(() => store.sendToQueue("payments", "x", 61)).code).toBe(
      "invalid",
    );
    expect(storeError(() => store.sendToQueue("payments", "x", -1)).code).toBe(
      "invalid",
    );
    expect(storeError(() => store.sendToQueue("missing", "x")).code).toBe(
      "not_found",
    );
  });
});

describe("subscriptions", () => {
  beforeEach(() => store.createTopic("orders"));

  test("create, list and delete", () => {
    const created = subscribeFunction("pay", ["paid"]);
    expect(created.topicName).toBe("orders");
    expect(created.protocol).toBe("scf");
    expect(created.endpoint).toBe("fn-pay");
    expect(created.filterTags).toEqual(["paid"]);
    expect(created.notifyStrategy).toBe("EXPONENTIAL_DECAY_RETRY");
    expect(created.notifyContentFormat).toBe("JSON");
    subscribeFunction("ship");
    expect(store.listSubscriptions("ORDERS").total).toBe(2);
    expect(
      store.listSubscriptions("orders", { name: "SH" }).subscriptions,
    ).toHaveLength(1);
    expect(store.getTopic("orders")?.subscriptionCount).toBe(2);
    store.deleteSubscription("orders", "PAY");
    expect(store.listSubscriptions("orders").total).toBe(1);
  });

  test("errors name the missing or duplicate resource", () => {
    subscribeFunction("pay");
    const duplicate = storeError(() => subscribeFunction("Pay"));
    expect(duplicate.code).toBe("exists");
    expect(duplicate.resource).toBe("subscription");
    const noTopic = storeError(() => subscribeFunction("pay", [], "missing"));
    expect(noTopic.code).toBe("not_found");
    expect(noTopic.resource).toBe("topic");
    const noSubscription = storeError(() =>
      store.deleteSubscription("orders", "none"),
    );
    expect(noSubscription.code).toBe("not_found");
    expect(noSubscription.resource).toBe("subscription");
  });

  test("same name on two topics is allowed", () => {
    store.createTopic("refunds");
    subscribeFunction("pay");
    expect(() => subscribeFunction("pay", [], "refunds")).not.toThrow();
  });

  test("delete drops pending deliveries only", () => {
    subscribeFunction("pay");
    const first = store.publish("orders", "a").deliveries[0];
    store.publish("orders", "b");
    store.markDone(first!.id);
    store.deleteSubscription("orders", "pay");
    expect(store.pendingDeliveries()).toEqual([]);
    expect(store.counts().done).toBe(1);
  });
});

describe("publish", () => {
  beforeEach(() => store.createTopic("orders"));

  test("stores the message", () => {
    const { message } = store.publish("orders", '{"orderId":"o-1"}', ["paid"]);
    expect(message.msgId).toMatch(/^[0-9a-f]{32}$/);
    expect(message.topicName).toBe("orders");
    expect(message.body).toBe('{"orderId":"o-1"}');
    expect(message.tags).toEqual(["paid"]);
    expect(Number.isNaN(Date.parse(message.publishedAt))).toBe(false);
    expect(store.getTopic("orders")?.msgCount).toBe(1);
  });

  test("missing topic is not_found", () => {
    expect(storeError(() => store.publish("missing", "x")).code).toBe(
      "not_found",
    );
  });

  test.each([
    { filterTags: undefined, tags: [], delivered: true },
    { filterTags: undefined, tags: ["paid"], delivered: true },
    { filterTags: ["paid", "shipped"], tags: ["shipped"], delivered: true },
    { filterTags: ["paid"], tags: ["refunded"], delivered: false },
    { filterTags: ["paid"], tags: [], delivered: false },
  ])(
    "tag filter $filterTags with tags $tags",
    ({ filterTags, tags, delivered }) => {
      subscribeFunction("pay", filterTags);
      const { deliveries } = store.publish("orders", "x", tags);
      expect(deliveries).toHaveLength(delivered ? 1 : 0);
    },
  );

  test("one delivery per matching function", () => {
    subscribeFunction("pay");
    subscribeFunction("ship", ["paid"]);
    subscribeFunction("audit", ["refunded"]);
    const { message, deliveries } = store.publish("orders", "x", ["paid"]);
    expect(deliveries.map((delivery) => delivery.endpoint)).toEqual([
      "fn-pay",
      "fn-ship",
    ]);
    for (const delivery of deliveries) {
      expect(delivery.status).toBe("pending");
      expect(delivery.attempts).toBe(0);
      expect(delivery.msgId).toBe(message.msgId);
      expect(delivery.message).toEqual(message);
    }
  });

  test("queue subscriptions fill their queue", () => {
    store.createQueue("payments");
    store.createSubscription({
      topicName: "orders",
      subscriptionName: "to-payments",
      protocol: "queue",
      endpoint: "payments",
    });
    const { deliveries } = store.publish("orders", "x");
    expect(deliveries).toEqual([]);
    expect(store.getQueue("payments")?.activeMsgNum).toBe(1);
  });

  test("http subscriptions get no delivery", () => {
    store.createSubscription({
      topicName: "orders",
      subscriptionName: "webhook",
      protocol: "http",
      endpoint: "http://127.0.0.1:9/hook",
    });
    expect(store.publish("orders", "x").deliveries).toEqual([]);
  });

  test("routing topic matches binding keys", () => {
    store.createTopic("events", { filterType: 2 });
    store.createSubscription({
      topicName: "events",
      subscriptionName: "orders-any",
      protocol: "scf",
      endpoint: "fn-orders",
      bindingKey: ["order.*"],
    });
    expect(
      store.publish("events", "x", ["order.paid"]).deliveries,
    ).toHaveLength(1);
    expect(
      store.publish("events", "x", ["refund.paid"]).deliveries,
    ).toHaveLength(0);
    expect(store.publish("events", "x").deliveries).toHaveLength(0);
  });
});

test.each([
  ["order.paid", "order.paid", true],
  ["order.*", "order.paid", true],
  ["order.*", "order.paid.late", false],
  ["order.#", "order", true],
  ["order.#", "order.paid.late", true],
  ["#.late", "order.paid.late", true],
  ["*.paid", "paid", false],
  ["#", "anything.at.all", true],
])("routing key pattern %s against %s", (pattern, key, expected) => {
  expect(routingKeyMatches(pattern, key)).toBe(expected);
});

describe("deliveries", () => {
  beforeEach(() => {
    store.createTopic("orders");
    subscribeFunction("pay");
  });

  test("survive close and reopen", () => {
    const published = store.publish("orders", '{"orderId":"o-1"}', ["paid"]);
    store.close();
    store = MessageStore.open(path);
    const pending = store.pendingDeliveries();
    expect(pending).toEqual(published.deliveries);
    expect(pending[0]?.message.body).toBe('{"orderId":"o-1"}');
  });

  test("pending order follows nextAttemptAt", () => {
    const first = store.publish("orders", "a").deliveries[0]!;
    const second = store.publish("orders", "b").deliveries[0]!;
    store.scheduleRetry(first.id, 1, Date.now() + 60_000, "timeout");
    const pending = store.pendingDeliveries();
    expect(pending.map((delivery) => delivery.id)).toEqual([
      second.id,
      first.id,
    ]);
    expect(pending[1]?.attempts).toBe(1);
    expect(pending[1]?.lastError).toBe("timeout");
  });

  test("markDone leaves pending", () => {
    const delivery = store.publish("orders", "a").deliveries[0]!;
    expect(store.markDone(delivery.id)).toBe(true);
    expect(store.pendingDeliveries()).toEqual([]);
    expect(storeError(() => store.markDone(delivery.id)).code).toBe("invalid");
  });

  test("updates of a deleted delivery return false", () => {
    expect(store.markDone(999)).toBe(false);
    expect(store.scheduleRetry(999, 1, 0, "x")).toBe(false);
    expect(store.markDead(999, 1, "x", {})).toBe(false);
  });

  test("markDead stores the dead letter", () => {
    const delivery = store.publish("orders", "a", ["paid"]).deliveries[0]!;
    const event = { Records: [{ CMQ: { msgId: delivery.msgId } }] };
    store.markDead(delivery.id, 3, "PaymentDeclined: card declined", event);
    const [dead] = store.listDeadLetters();
    expect(dead?.deliveryId).toBe(delivery.id);
    expect(dead?.attempts).toBe(3);
    expect(dead?.error).toBe("PaymentDeclined: card declined");
    expect(dead?.event).toEqual(event);
    expect(dead?.endpoint).toBe("fn-pay");
    expect(dead?.message.tags).toEqual(["paid"]);
    expect(Number.isNaN(Date.parse(dead?.failedAt ?? ""))).toBe(false);
    expect(store.getDeadLetter(delivery.id)).toEqual(dead);
    expect(store.pendingDeliveries()).toEqual([]);
  });

  test("dead letters filter by endpoint", () => {
    subscribeFunction("ship");
    for (const delivery of store.publish("orders", "a").deliveries) {
      store.markDead(delivery.id, 1, "failed", null);
    }
    expect(store.listDeadLetters()).toHaveLength(2);
    expect(store.listDeadLetters({ endpoint: "fn-ship" })).toHaveLength(1);
    expect(store.listDeadLetters({ limit: 1 })).toHaveLength(1);
  });

  test("redrive returns a dead delivery to pending", () => {
    const delivery = store.publish("orders", "a").deliveries[0]!;
    store.markDead(delivery.id, 4, "failed", {});
    const before = Date.now();
    const redriven = store.redrive(delivery.id);
    expect(redriven.status).toBe("pending");
    expect(redriven.attempts).toBe(0);
    expect(redriven.nextAttemptAt).toBeGreaterThanOrEqual(before);
    expect(store.getDeadLetter(delivery.id)).toBeUndefined();
    expect(store.pendingDeliveries().map((pending) => pending.id)).toEqual([
      delivery.id,
    ]);
  });

  test("redrive of a live delivery is not_found", () => {
    const delivery = store.publish("orders", "a").deliveries[0]!;
    expect(storeError(() => store.redrive(delivery.id)).code).toBe("not_found");
    expect(storeError(() => store.redrive(999)).code).toBe("not_found");
  });

  test("counts by status", () => {
    subscribeFunction("ship");
    const [first, second] = store.publish("orders", "a").deliveries;
    store.publish("orders", "b");
    store.markDone(first!.id);
    store.markDead(second!.id, 1, "failed", {});
    expect(store.counts()).toEqual({
      pending: 2,
      done: 1,
      dead: 1,
      messages: 2,
    });
  });
});

test("open rejects a newer schema", () => {
  store.close();
  const db = new Database(path);
  db.pragma("user_version = 99");
  db.close();
  expect(() => MessageStore.open(path)).toThrow(/schema version 99/);
  store = MessageStore.open(join(dir, "other.db"));
});

test("open uses WAL", () => {
  store.close();
  const db = new Database(path);
  expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
  db.close();
  store = MessageStore.open(path);
});

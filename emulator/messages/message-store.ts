import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import * as z from "zod";
import {
  type DeliveryRow,
  type QueueRow,
  type SubscriberRow,
  type SubscriptionRow,
  type TopicRow,
  deadLetterFromRow,
  deliveryFromRow,
  PRAGMAS,
  queueFromRow,
  SCHEMA,
  SCHEMA_VERSION,
  STATEMENTS,
  subscriptionFromRow,
  topicFromRow,
} from "./schema";

/** A message published to a topic. */
export interface StoredMessage {
  msgId: string;
  topicName: string;
  body: string;
  tags: string[];
  /** ISO 8601 time of the publish. */
  publishedAt: string;
}

export type DeliveryStatus = "pending" | "done" | "dead";

/** One message on its way to one function subscription (protocol "scf"). */
export interface Delivery {
  id: number;
  msgId: string;
  topicName: string;
  subscriptionName: string;
  /** The key of the function that consumes the message. */
  endpoint: string;
  /** Failed attempts so far. */
  attempts: number;
  /** Epoch ms of the next attempt. */
  nextAttemptAt: number;
  status: DeliveryStatus;
  lastError?: string;
  message: StoredMessage;
}

/** A delivery that ran out of attempts, with the event the function last received. */
export interface DeadLetter {
  deliveryId: number;
  msgId: string;
  topicName: string;
  subscriptionName: string;
  endpoint: string;
  attempts: number;
  error: string;
  event: unknown;
  /** ISO 8601 time of the `markDead` call. */
  failedAt: string;
  message: StoredMessage;
}

export interface TopicInfo {
  topicId: string;
  topicName: string;
  /** Epoch ms. */
  createTime: number;
  /** 1 = match by tag (FilterTag), 2 = match by routing key (BindingKey). */
  filterType: number;
  msgRetentionSeconds: number;
  maxMsgSize: number;
  /** Messages published within the retention period. */
  msgCount: number;
  subscriptionCount: number;
}

export type SubscriptionProtocol = "queue" | "http" | "scf";

export interface SubscriptionInfo {
  subscriptionId: string;
  subscriptionName: string;
  topicName: string;
  protocol: SubscriptionProtocol;
  endpoint: string;
  filterTags: string[];
  bindingKey: string[];
  notifyStrategy: string;
  notifyContentFormat: string;
  /** Epoch ms. */
  createTime: number;
  /** Pending deliveries of this subscription, always 0 for "queue" and "http". */
  msgCount: number;
}

/** CMQ queue attributes, named like the CreateCmqQueue fields in camelCase. */
export interface QueueAttributes {
  maxMsgHeapNum: number;
  pollingWaitSeconds: number;
  visibilityTimeout: number;
  maxMsgSize: number;
  /** Max time a message stays unacknowledged, in seconds. */
  msgRetentionSeconds: number;
  rewindSeconds: number;
  transaction: boolean;
  firstQueryInterval?: number;
  maxQueryCount?: number;
  deadLetterQueueName?: string;
  /** Dead-letter policy: 0 = max receive count, 1 = time to live. */
  policy?: number;
  maxReceiveCount?: number;
  maxTimeToLive?: number;
  trace: boolean;
  retentionSizeInMB: number;
}

export interface QueueInfo extends QueueAttributes {
  queueId: string;
  queueName: string;
  /** Epoch ms. */
  createTime: number;
  /** Messages visible now. */
  activeMsgNum: number;
  /** Messages still inside their delay. */
  delayMsgNum: number;
}

export interface SubscriptionInput {
  topicName: string;
  subscriptionName: string;
  protocol: SubscriptionProtocol;
  endpoint: string;
  filterTags?: string[];
  bindingKey?: string[];
  notifyStrategy?: string;
  notifyContentFormat?: string;
}

/** Name filter and page of a list call. Without `limit` the page has every row. */
export interface ListFilter {
  /** Case-insensitive substring of the name. */
  name?: string;
  /** Exact names, compared case-insensitively. */
  names?: string[];
  offset?: number;
  limit?: number;
}

export type MessageStoreErrorCode = "exists" | "not_found" | "invalid";
export type StoreResource = "topic" | "queue" | "subscription" | "delivery";

/** A rejected store call. `resource` names the missing, duplicate or invalid resource. */
export class MessageStoreError extends Error {
  readonly code: MessageStoreErrorCode;
  readonly resource?: StoreResource;

  constructor(
    code: MessageStoreErrorCode,
    message: string,
    resource?: StoreResource,
  ) {
    super(message);
    this.name = "MessageStoreError";
    this.code = code;
    this.resource = resource;
  }
}

/** CMQ naming rule for topics, queues and subscriptions. */
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const TOPIC_DEFAULTS = {
  filterType: 1,
  msgRetentionSeconds: 86400,
  maxMsgSize: 65536,
};

/**
 * Defaults from the CreateCmqQueue docs. Tencent gives MaxMsgHeapNum 1e7 during its
 * public beta and 1e8 after launch, and the emulator uses 1e8.
 */
const QUEUE_DEFAULTS: QueueAttributes = {
  maxMsgHeapNum: 100_000_000,
  pollingWaitSeconds: 0,
  visibilityTimeout: 30,
  maxMsgSize: 1_048_576,
  msgRetentionSeconds: 3600,
  rewindSeconds: 0,
  transaction: false,
  trace: false,
  retentionSizeInMB: 0,
};

const queueAttributesSchema = z.strictObject({
  maxMsgHeapNum: z.number().int().optional(),
  pollingWaitSeconds: z.number().int().optional(),
  visibilityTimeout: z.number().int().optional(),
  maxMsgSize: z.number().int().optional(),
  msgRetentionSeconds: z.number().int().optional(),
  rewindSeconds: z.number().int().optional(),
  transaction: z.boolean().optional(),
  firstQueryInterval: z.number().int().optional(),
  maxQueryCount: z.number().int().optional(),
  deadLetterQueueName: z.string().optional(),
  policy: z.number().int().optional(),
  maxReceiveCount: z.number().int().optional(),
  maxTimeToLive: z.number().int().optional(),
  trace: z.boolean().optional(),
  retentionSizeInMB: z.number().int().optional(),
});

type Statements = { [K in keyof typeof STATEMENTS]: Database.Statement };

/**
 * The emulator's durable store of CMQ topics, queues, subscriptions, published
 * messages and their deliveries to functions, in one SQLite file (WAL mode).
 * Each call runs as one statement or one transaction, so another connection
 * to the file never reads half of a publish.
 */
export class MessageStore {
  private readonly db: Database.Database;
  private readonly statements: Statements;
  private readonly publishTransaction: (
    topicName: string,
    body: string,
    tags: string[],
  ) => { message: StoredMessage; deliveries: Delivery[] };

  private constructor(db: Database.Database) {
    this.db = db;
    this.statements = prepareAll(db);
    this.publishTransaction = db.transaction(
      (topicName: string, body: string, tags: string[]) =>
        this.insertPublished(topicName, body, tags),
    );
  }

  /**
   * Opens (or creates) the store at `path`, creating its parent directory and the
   * schema. Throws if the file was written by a newer schema version.
   */
  static open(path: string): MessageStore {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      for (const pragma of PRAGMAS) db.pragma(pragma);
      migrate(db);
      return new MessageStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }

  /**
   * Creates a topic. Throws "exists" if a topic of that name exists (names are
   * case-insensitive) and "invalid" for a name outside the CMQ rule.
   */
  createTopic(
    name: string,
    attrs: Partial<{
      filterType: number;
      msgRetentionSeconds: number;
      maxMsgSize: number;
    }> = {},
  ): TopicInfo {
    validateName(name, "topic");
    const values = { ...TOPIC_DEFAULTS, ...definedOnly(attrs) };
    insertUnique(
      () =>
        this.statements.insertTopic.run({
          topicId: newId("topic"),
          topicName: name,
          createTime: Date.now(),
          ...values,
        }),
      `topic ${name} already exists`,
      "topic",
    );
    return this.requireTopic(name);
  }

  getTopic(name: string): TopicInfo | undefined {
    const row = this.statements.selectTopic.get({
      topicName: name,
      now: Date.now(),
    }) as TopicRow | undefined;
    return row && topicFromRow(row);
  }

  /** Lists topics in creation order with the total that matches the filter. */
  listTopics(filter: ListFilter = {}): { total: number; topics: TopicInfo[] } {
    const params = listParams(filter);
    const rows = this.statements.listTopics.all({
      ...params,
      now: Date.now(),
    }) as TopicRow[];
    const { names, name } = params;
    const count = this.statements.countTopics.get({ names, name }) as {
      total: number;
    };
    return { total: count.total, topics: rows.map(topicFromRow) };
  }

  /** Deletes a topic with its subscriptions, messages and their deliveries. */
  deleteTopic(name: string): void {
    const topic = this.requireTopicRow(name);
    this.db.transaction(() => {
      this.statements.deleteTopicDeliveries.run(topic.id);
      this.statements.deleteTopicMessages.run(topic.id);
      this.statements.deleteTopicSubscriptions.run(topic.id);
      this.statements.deleteTopic.run(topic.id);
    })();
  }

  /**
   * Creates a queue with `QueueAttributes` keys in `attrs`. Unknown keys and
   * wrong types throw "invalid", and an existing name throws "exists".
   */
  createQueue(name: string, attrs: Record<string, unknown> = {}): QueueInfo {
    validateName(name, "queue");
    const parsed = queueAttributesSchema.safeParse(attrs);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.map(String).join(".") || "attrs";
      throw new MessageStoreError(
        "invalid",
        `invalid queue attribute ${field}: ${issue?.message}`,
      );
    }
    const attributes = { ...QUEUE_DEFAULTS, ...definedOnly(parsed.data) };
    insertUnique(
      () =>
        this.statements.insertQueue.run({
          queueId: newId("queue"),
          queueName: name,
          createTime: Date.now(),
          attributes: JSON.stringify(attributes),
        }),
      `queue ${name} already exists`,
      "queue",
    );
    return this.requireQueue(name);
  }

  getQueue(name: string): QueueInfo | undefined {
    const row = this.statements.selectQueue.get({
      queueName: name,
      now: Date.now(),
    }) as QueueRow | undefined;
    return row && queueFromRow(row);
  }

  /** Lists queues in creation order with the total that matches the filter. */
  listQueues(filter: ListFilter = {}): { total: number; queues: QueueInfo[] } {
    const params = listParams(filter);
    const rows = this.statements.listQueues.all({
      ...params,
      now: Date.now(),
    }) as QueueRow[];
    const { names, name } = params;
    const count = this.statements.countQueues.get({ names, name }) as {
      total: number;
    };
    return { total: count.total, queues: rows.map(queueFromRow) };
  }

  /** Deletes a queue and the messages in it. Throws "not_found". */
  deleteQueue(name: string): void {
    const queue = this.requireQueueRow(name);
    this.db.transaction(() => {
      this.statements.deleteQueueMessages.run(queue.id);
      this.statements.deleteQueue.run(queue.id);
    })();
  }

  /**
   * Subscribes an endpoint to a topic. Throws "not_found" for a missing topic,
   * "exists" for a name already used on that topic, "invalid" for a bad name or
   * an empty endpoint.
   */
  createSubscription(input: SubscriptionInput): SubscriptionInfo {
    validateName(input.subscriptionName, "subscription");
    if (input.endpoint.length === 0) {
      throw new MessageStoreError(
        "invalid",
        "subscription endpoint must not be empty",
        "subscription",
      );
    }
    const topic = this.requireTopicRow(input.topicName);
    insertUnique(
      () =>
        this.statements.insertSubscription.run(
          subscriptionValues(input, topic.id),
        ),
      `subscription ${input.subscriptionName} already exists on topic ${topic.topic_name}`,
      "subscription",
    );
    return this.requireSubscription(topic.id, input.subscriptionName);
  }

  /** Lists a topic's subscriptions in creation order. Throws "not_found" for the topic. */
  listSubscriptions(
    topicName: string,
    filter: Omit<ListFilter, "names"> = {},
  ): { total: number; subscriptions: SubscriptionInfo[] } {
    const topic = this.requireTopicRow(topicName);
    const { name, offset, limit } = listParams(filter);
    const rows = this.statements.listSubscriptions.all({
      topicRow: topic.id,
      name,
      offset,
      limit,
    }) as SubscriptionRow[];
    const count = this.statements.countSubscriptions.get({
      topicRow: topic.id,
      name,
    }) as {
      total: number;
    };
    return { total: count.total, subscriptions: rows.map(subscriptionFromRow) };
  }

  /**
   * Deletes a subscription and its pending deliveries, but keeps its done and
   * dead ones. Throws "not_found" for a missing topic or subscription.
   */
  deleteSubscription(topicName: string, subscriptionName: string): void {
    const topic = this.requireTopicRow(topicName);
    const row = this.requireSubscriptionRow(topic.id, subscriptionName);
    this.db.transaction(() => {
      this.statements.deleteSubscriptionPending.run(row.id);
      this.statements.deleteSubscription.run(row.id);
    })();
  }

  /**
   * Stores a message and, in the same transaction, one pending delivery per
   * matching "scf" subscription and one queue message per matching "queue"
   * subscription whose queue exists. Matching follows CMQ: on a tag topic a
   * subscription without FilterTag receives every message, one with FilterTag
   * needs a tag in common with the message. On a routing topic (filterType 2)
   * the first tag is the routing key, matched against the BindingKey patterns.
   * Throws "not_found" for a missing topic.
   */
  publish(
    topicName: string,
    body: string,
    tags: string[] = [],
  ): {
    message: StoredMessage;
    deliveries: Delivery[];
  } {
    return this.publishTransaction(topicName, body, tags);
  }

  /**
   * Adds a message to a queue, visible after `delaySeconds`. Throws "not_found"
   * for a missing queue and "invalid" for a delay that is negative, fractional or
   * longer than the queue's msgRetentionSeconds.
   */
  sendToQueue(
    queueName: string,
    body: string,
    delaySeconds = 0,
  ): { msgId: string } {
    const queue = this.requireQueueRow(queueName);
    const retention = (JSON.parse(queue.attributes) as QueueAttributes)
      .msgRetentionSeconds;
    if (
      !Number.isInteger(delaySeconds) ||
      delaySeconds < 0 ||
      delaySeconds > retention
    ) {
      throw new MessageStoreError(
        "invalid",
        `delay ${delaySeconds} s is outside 0..${retention} s (the queue's msgRetentionSeconds)`,
        "queue",
      );
    }
    const msgId = newMessageId();
    const now = Date.now();
    this.statements.insertQueueMessage.run(
      msgId,
      queue.id,
      body,
      now,
      now + delaySeconds * 1000,
    );
    return { msgId };
  }

  /** Returns every pending delivery, ordered by nextAttemptAt and then id. */
  pendingDeliveries(): Delivery[] {
    return (this.statements.pendingDeliveries.all() as DeliveryRow[]).map(
      deliveryFromRow,
    );
  }

  /**
   * Marks a pending delivery done. Returns false, changing nothing, when the
   * delivery no longer exists because its subscription or topic was deleted
   * while it ran. Throws "invalid" if the delivery is done or dead.
   */
  markDone(deliveryId: number): boolean {
    return this.updatePending(
      deliveryId,
      this.statements.markDone.run(deliveryId).changes,
    );
  }

  /**
   * Records a failed attempt of a pending delivery and when to try again.
   * Returns false and throws like `markDone`.
   */
  scheduleRetry(
    deliveryId: number,
    attempts: number,
    nextAttemptAt: number,
    error: string,
  ): boolean {
    const result = this.statements.scheduleRetry.run(
      attempts,
      nextAttemptAt,
      error,
      deliveryId,
    );
    return this.updatePending(deliveryId, result.changes);
  }

  /**
   * Moves a pending delivery to the dead letters with the event that failed.
   * Returns false and throws like `markDone`.
   */
  markDead(
    deliveryId: number,
    attempts: number,
    error: string,
    event: unknown,
  ): boolean {
    const failedAt = new Date().toISOString();
    const eventJson = JSON.stringify(event ?? null);
    const result = this.statements.markDead.run(
      attempts,
      error,
      eventJson,
      failedAt,
      deliveryId,
    );
    return this.updatePending(deliveryId, result.changes);
  }

  /** Lists dead letters, newest first, optionally of one endpoint only. */
  listDeadLetters(
    filter: { endpoint?: string; limit?: number } = {},
  ): DeadLetter[] {
    const rows = this.statements.listDeadLetters.all({
      endpoint: filter.endpoint ?? null,
      limit: filter.limit ?? -1,
    }) as DeliveryRow[];
    return rows.map(deadLetterFromRow);
  }

  getDeadLetter(deliveryId: number): DeadLetter | undefined {
    const row = this.statements.selectDelivery.get(deliveryId) as
      DeliveryRow | undefined;
    return row?.status === "dead" ? deadLetterFromRow(row) : undefined;
  }

  /**
   * Returns a dead delivery to pending with attempts reset to 0, due now.
   * Throws "not_found" unless the delivery exists and is dead.
   */
  redrive(deliveryId: number): Delivery {
    const changes = this.statements.redrive.run(Date.now(), deliveryId).changes;
    if (changes === 0) {
      throw new MessageStoreError(
        "not_found",
        `no dead letter with delivery id ${deliveryId}`,
        "delivery",
      );
    }
    return this.requireDelivery(deliveryId);
  }

  /** Counts deliveries by status and all stored topic messages. */
  counts(): { pending: number; done: number; dead: number; messages: number } {
    const totals = { pending: 0, done: 0, dead: 0, messages: 0 };
    const rows = this.statements.deliveryCounts.all() as {
      status: DeliveryStatus;
      n: number;
    }[];
    for (const row of rows) totals[row.status] = row.n;
    totals.messages = (this.statements.messageCount.get() as { n: number }).n;
    return totals;
  }

  private insertPublished(topicName: string, body: string, tags: string[]) {
    const topic = this.requireTopicRow(topicName);
    const now = Date.now();
    const message: StoredMessage = {
      msgId: newMessageId(),
      topicName: topic.topic_name,
      body,
      tags: [...tags],
      publishedAt: new Date(now).toISOString(),
    };
    const messageRow = this.insertMessage(topic.id, message, now);
    const deliveries: Delivery[] = [];
    const subscribers = this.statements.selectTopicSubscribers.all(
      topic.id,
    ) as SubscriberRow[];
    for (const subscriber of subscribers) {
      if (!subscriberMatches(topic.filter_type, subscriber, tags)) continue;
      if (subscriber.protocol === "scf") {
        deliveries.push(
          this.insertDelivery(messageRow, subscriber, message, now),
        );
      } else if (subscriber.protocol === "queue") {
        this.forwardToQueue(subscriber.endpoint, body, now);
      }
      // NOTE: "http" subscriptions are stored but never pushed, because the
      // emulator sends no traffic to other hosts.
    }
    return { message, deliveries };
  }

  /** Inserts the message row and returns its rowid. */
  private insertMessage(
    topicRow: number,
    message: StoredMessage,
    now: number,
  ): number {
    const { msgId, topicName, body, tags } = message;
    const tagsJson = JSON.stringify(tags);
    const result = this.statements.insertMessage.run(
      msgId,
      topicRow,
      topicName,
      body,
      tagsJson,
      now,
    );
    return Number(result.lastInsertRowid);
  }

  private insertDelivery(
    messageRow: number,
    subscriber: SubscriberRow,
    message: StoredMessage,
    now: number,
  ): Delivery {
    const { subscription_name: subscriptionName, endpoint } = subscriber;
    const result = this.statements.insertDelivery.run(
      messageRow,
      subscriber.id,
      subscriptionName,
      endpoint,
      now,
    );
    return {
      id: Number(result.lastInsertRowid),
      msgId: message.msgId,
      topicName: message.topicName,
      subscriptionName,
      endpoint,
      attempts: 0,
      nextAttemptAt: now,
      status: "pending",
      message,
    };
  }

  private forwardToQueue(queueName: string, body: string, now: number): void {
    const queue = this.statements.selectQueueRow.get(queueName) as
      { id: number } | undefined;
    if (!queue) return;
    this.statements.insertQueueMessage.run(
      newMessageId(),
      queue.id,
      body,
      now,
      now,
    );
  }

  /**
   * Returns whether an update of a pending delivery changed a row, and throws
   * "invalid" when it changed none because the delivery is no longer pending.
   */
  private updatePending(deliveryId: number, changes: number): boolean {
    if (changes > 0) return true;
    const row = this.statements.selectDeliveryStatus.get(deliveryId) as
      { status: DeliveryStatus } | undefined;
    if (!row) return false;
    throw new MessageStoreError(
      "invalid",
      `delivery ${deliveryId} is ${row.status}, and only pending deliveries can change`,
      "delivery",
    );
  }

  private requireTopicRow(name: string): {
    id: number;
    topic_name: string;
    filter_type: number;
  } {
    const row = this.statements.selectTopicRow.get(name) as
      { id: number; topic_name: string; filter_type: number } | undefined;
    if (!row)
      throw new MessageStoreError(
        "not_found",
        `topic ${name} not found`,
        "topic",
      );
    return row;
  }

  private requireTopic(name: string): TopicInfo {
    const topic = this.getTopic(name);
    if (!topic)
      throw new MessageStoreError(
        "not_found",
        `topic ${name} not found`,
        "topic",
      );
    return topic;
  }

  private requireQueueRow(name: string): { id: number; attributes: string } {
    const row = this.statements.selectQueueRow.get(name) as
      { id: number; attributes: string } | undefined;
    if (!row)
      throw new MessageStoreError(
        "not_found",
        `queue ${name} not found`,
        "queue",
      );
    return row;
  }

  private requireQueue(name: string): QueueInfo {
    const queue = this.getQueue(name);
    if (!queue)
      throw new MessageStoreError(
        "not_found",
        `queue ${name} not found`,
        "queue",
      );
    return queue;
  }

  private requireSubscriptionRow(
    topicRow: number,
    name: string,
  ): SubscriptionRow {
    const row = this.statements.selectSubscription.get({
      topicRow,
      subscriptionName: name,
    }) as SubscriptionRow | undefined;
    if (!row) {
      throw new MessageStoreError(
        "not_found",
        `subscription ${name} not found`,
        "subscription",
      );
    }
    return row;
  }

  private requireSubscription(
    topicRow: number,
    name: string,
  ): SubscriptionInfo {
    return subscriptionFromRow(this.requireSubscriptionRow(topicRow, name));
  }

  private requireDelivery(deliveryId: number): Delivery {
    const row = this.statements.selectDelivery.get(deliveryId) as
      DeliveryRow | undefined;
    if (!row) {
      throw new MessageStoreError(
        "not_found",
        `no delivery with id ${deliveryId}`,
        "delivery",
      );
    }
    return deliveryFromRow(row);
  }
}

function prepareAll(db: Database.Database): Statements {
  const entries = Object.entries(STATEMENTS).map(([key, sql]) => [
    key,
    db.prepare(sql),
  ]);
  return Object.fromEntries(entries) as Statements;
}

function migrate(db: Database.Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `message store schema version ${version} is newer than ${SCHEMA_VERSION}. ` +
        "Upgrade the emulator or delete the store file.",
    );
  }
  db.exec(SCHEMA);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

function validateName(name: string, resource: StoreResource): void {
  if (typeof name === "string" && NAME_PATTERN.test(name)) return;
  throw new MessageStoreError(
    "invalid",
    `invalid ${resource} name ${JSON.stringify(name)}: use 1-64 letters, digits, "-" or "_", ` +
      "starting with a letter",
    resource,
  );
}

/** Runs an INSERT and turns a UNIQUE violation into a MessageStoreError "exists". */
function insertUnique(
  insert: () => unknown,
  message: string,
  resource: StoreResource,
): void {
  try {
    insert();
  } catch (error) {
    if (sqliteErrorCode(error) === "SQLITE_CONSTRAINT_UNIQUE") {
      throw new MessageStoreError("exists", message, resource);
    }
    throw error;
  }
}

/**
 * Reads the code of a better-sqlite3 error. It is not tested with instanceof
 * because the native addon keeps the SqliteError class of the first load, so
 * errors fail instanceof in a module registry loaded later (jest loads one per
 * test file).
 */
function sqliteErrorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null && "code" in error
    ? error.code
    : undefined;
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function listParams(filter: ListFilter) {
  const offset = filter.offset ?? 0;
  const limit = filter.limit ?? -1;
  if (
    !Number.isInteger(offset) ||
    offset < 0 ||
    !Number.isInteger(limit) ||
    limit < -1
  ) {
    throw new MessageStoreError(
      "invalid",
      `invalid page: offset ${offset} must be an integer >= 0 and limit ${limit} one >= -1`,
    );
  }
  return {
    name: filter.name ?? null,
    names: filter.names ? JSON.stringify(filter.names) : null,
    offset,
    limit,
  };
}

function newId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString("hex")}`;
}

/** Creates a message id of 32 hex digits from a random UUID, unique across restarts. */
function newMessageId(): string {
  return randomUUID().replace(/-/g, "");
}

function subscriptionValues(input: SubscriptionInput, topicRow: number) {
  const defaultFormat = input.protocol === "queue" ? "SIMPLIFIED" : "JSON";
  return {
    subscriptionId: newId("sub"),
    topicRow,
    subscriptionName: input.subscriptionName,
    protocol: input.protocol,
    endpoint: input.endpoint,
    filterTags: JSON.stringify(input.filterTags ?? []),
    bindingKey: JSON.stringify(input.bindingKey ?? []),
    notifyStrategy: input.notifyStrategy ?? "EXPONENTIAL_DECAY_RETRY",
    notifyContentFormat: input.notifyContentFormat ?? defaultFormat,
    createTime: Date.now(),
  };
}

function subscriberMatches(
  filterType: number,
  subscriber: SubscriberRow,
  tags: string[],
): boolean {
  if (filterType === 2) {
    const bindingKeys = JSON.parse(subscriber.binding_key) as string[];
    // NOTE: unconfirmed whether Tencent delivers to a routing subscription
    // without BindingKey. The emulator treats it like a tag subscription
    // without FilterTag and delivers everything.
    if (bindingKeys.length === 0) return true;
    const routingKey = tags[0];
    if (routingKey === undefined) return false;
    return bindingKeys.some((pattern) =>
      routingKeyMatches(pattern, routingKey),
    );
  }
  const filterTags = JSON.parse(subscriber.filter_tags) as string[];
  return (
    filterTags.length === 0 || filterTags.some((tag) => tags.includes(tag))
  );
}

/**
 * Matches a dot-separated routing key against a BindingKey pattern, where "*"
 * stands for exactly one word and "#" for zero or more words.
 */
export function routingKeyMatches(
  pattern: string,
  routingKey: string,
): boolean {
  return wordsMatch(pattern.split("."), routingKey.split("."));
}

function wordsMatch(pattern: string[], words: string[]): boolean {
  const [head, ...rest] = pattern;
  if (head === undefined) return words.length === 0;
  if (head === "#") {
    for (let skip = 0; skip <= words.length; skip++) {
      if (wordsMatch(rest, words.slice(skip))) return true;
    }
    return false;
  }
  if (words.length === 0) return false;
  return (
    (head === "*" || head === words[0]) && wordsMatch(rest, words.slice(1))
  );
}

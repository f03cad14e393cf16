import type {
  DeadLetter,
  Delivery,
  DeliveryStatus,
  QueueAttributes,
  QueueInfo,
  StoredMessage,
  SubscriptionInfo,
  SubscriptionProtocol,
  TopicInfo,
} from "./message-store";

/**
 * SQL of the emulator's message store and the rows it returns. `MessageStore` prepares every
 * statement in `STATEMENTS` once when it opens the database.
 *
 * Names of topics, queues and subscriptions compare with `COLLATE NOCASE`
 * because CMQ names are case-insensitive. NOCASE folds ASCII only, which is
 * enough since names are limited to letters, digits, "-" and "_".
 */

/** Schema version kept in `PRAGMA user_version`. `open` rejects files with a newer one. */
export const SCHEMA_VERSION = 1;

/**
 * Connection settings applied on every open, before the schema. With WAL and
 * synchronous=NORMAL a commit does not wait for fsync, only a checkpoint does.
 * Checkpointing every 4000 pages (16 MiB at 4 KiB pages) instead of SQLite's
 * default 1000 makes those fsyncs four times rarer.
 */
export const PRAGMAS = [
  "journal_mode = WAL",
  "synchronous = NORMAL",
  "busy_timeout = 5000",
  "wal_autocheckpoint = 4000",
];

/**
 * Tables and indexes, created idempotently. Each index costs a page
 * write per publish, so message ids (random UUIDs) have no UNIQUE index and
 * deliveries are indexed only while pending or dead.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS topics (
  id INTEGER PRIMARY KEY,
  topic_id TEXT NOT NULL UNIQUE,
  topic_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  create_time INTEGER NOT NULL,
  filter_type INTEGER NOT NULL,
  msg_retention_seconds INTEGER NOT NULL,
  max_msg_size INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriptions (
  id INTEGER PRIMARY KEY,
  subscription_id TEXT NOT NULL UNIQUE,
  topic_row INTEGER NOT NULL,
  subscription_name TEXT NOT NULL COLLATE NOCASE,
  protocol TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  filter_tags TEXT NOT NULL,
  binding_key TEXT NOT NULL,
  notify_strategy TEXT NOT NULL,
  notify_content_format TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  UNIQUE (topic_row, subscription_name)
);
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  msg_id TEXT NOT NULL,
  topic_row INTEGER NOT NULL,
  topic_name TEXT NOT NULL,
  body TEXT NOT NULL,
  tags TEXT NOT NULL,
  published_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_topic ON messages (topic_row, published_ms);
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY,
  message_row INTEGER NOT NULL,
  subscription_row INTEGER NOT NULL,
  subscription_name TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  last_error TEXT,
  dead_event TEXT,
  failed_at TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_pending
  ON deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_dead
  ON deliveries (failed_at) WHERE status = 'dead';
CREATE TABLE IF NOT EXISTS queues (
  id INTEGER PRIMARY KEY,
  queue_id TEXT NOT NULL UNIQUE,
  queue_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  create_time INTEGER NOT NULL,
  attributes TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS queue_messages (
  id INTEGER PRIMARY KEY,
  msg_id TEXT NOT NULL,
  queue_row INTEGER NOT NULL,
  body TEXT NOT NULL,
  enqueued_ms INTEGER NOT NULL,
  visible_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_messages_by_queue ON queue_messages (queue_row, visible_ms);
`;

/** Columns of a topic with its live counts; `@now` is epoch ms. */
const TOPIC_COLUMNS = `
  t.id, t.topic_id, t.topic_name, t.create_time, t.filter_type,
  t.msg_retention_seconds, t.max_msg_size,
  (SELECT COUNT(*) FROM messages m
    WHERE m.topic_row = t.id
      AND m.published_ms > @now - t.msg_retention_seconds * 1000) AS msg_count,
  (SELECT COUNT(*) FROM subscriptions s WHERE s.topic_row = t.id) AS subscription_count`;

/** Filter shared by the topic list and its count. */
const TOPIC_FILTER = `
  WHERE (@name IS NULL OR instr(lower(t.topic_name), lower(@name)) > 0)
    AND (@names IS NULL OR t.topic_name IN (SELECT value FROM json_each(@names)))`;

const QUEUE_COLUMNS = `
  q.id, q.queue_id, q.queue_name, q.create_time, q.attributes,
  (SELECT COUNT(*) FROM queue_messages m
    WHERE m.queue_row = q.id AND m.visible_ms <= @now) AS active_count,
  (SELECT COUNT(*) FROM queue_messages m
    WHERE m.queue_row = q.id AND m.visible_ms > @now) AS delayed_count`;

const QUEUE_FILTER = `
  WHERE (@name IS NULL OR instr(lower(q.queue_name), lower(@name)) > 0)
    AND (@names IS NULL OR q.queue_name IN (SELECT value FROM json_each(@names)))`;

const SUBSCRIPTION_COLUMNS = `
  s.id, s.subscription_id, s.subscription_name, t.topic_name, s.protocol,
  s.endpoint, s.filter_tags, s.binding_key, s.notify_strategy,
  s.notify_content_format, s.create_time,
  (SELECT COUNT(*) FROM deliveries d
    WHERE d.subscription_row = s.id AND d.status = 'pending') AS msg_count`;

const SUBSCRIPTION_FILTER = `
  WHERE s.topic_row = @topicRow
    AND (@name IS NULL OR instr(lower(s.subscription_name), lower(@name)) > 0)`;

/** Columns of a delivery joined with its message. */
const DELIVERY_COLUMNS = `
  d.id, d.subscription_name, d.endpoint, d.attempts, d.next_attempt_at,
  d.status, d.last_error, d.dead_event, d.failed_at,
  m.msg_id, m.topic_name, m.body, m.tags, m.published_ms`;

const DELIVERY_FROM =
  "FROM deliveries d JOIN messages m ON m.id = d.message_row";

/** Every statement the store runs, keyed by purpose. */
export const STATEMENTS = {
  insertTopic: `INSERT INTO topics
    (topic_id, topic_name, create_time, filter_type, msg_retention_seconds, max_msg_size)
    VALUES (@topicId, @topicName, @createTime, @filterType, @msgRetentionSeconds, @maxMsgSize)`,
  selectTopic: `SELECT ${TOPIC_COLUMNS} FROM topics t WHERE t.topic_name = @topicName`,
  selectTopicRow:
    "SELECT id, topic_name, filter_type FROM topics WHERE topic_name = ?",
  listTopics: `SELECT ${TOPIC_COLUMNS} FROM topics t ${TOPIC_FILTER}
    ORDER BY t.id LIMIT @limit OFFSET @offset`,
  countTopics: `SELECT COUNT(*) AS total FROM topics t ${TOPIC_FILTER}`,
  deleteTopic: "DELETE FROM topics WHERE id = ?",
  deleteTopicSubscriptions: "DELETE FROM subscriptions WHERE topic_row = ?",
  deleteTopicDeliveries: `DELETE FROM deliveries WHERE message_row IN
    (SELECT id FROM messages WHERE topic_row = ?)`,
  deleteTopicMessages: "DELETE FROM messages WHERE topic_row = ?",

  insertSubscription: `INSERT INTO subscriptions
    (subscription_id, topic_row, subscription_name, protocol, endpoint, filter_tags,
     binding_key, notify_strategy, notify_content_format, create_time)
    VALUES (@subscriptionId, @topicRow, @subscriptionName, @protocol, @endpoint, @filterTags,
     @bindingKey, @notifyStrategy, @notifyContentFormat, @createTime)`,
  selectSubscription: `SELECT ${SUBSCRIPTION_COLUMNS}
    FROM subscriptions s JOIN topics t ON t.id = s.topic_row
    WHERE s.topic_row = @topicRow AND s.subscription_name = @subscriptionName`,
  listSubscriptions: `SELECT ${SUBSCRIPTION_COLUMNS}
    FROM subscriptions s JOIN topics t ON t.id = s.topic_row ${SUBSCRIPTION_FILTER}
    ORDER BY s.id LIMIT @limit OFFSET @offset`,
  countSubscriptions: `SELECT COUNT(*) AS total FROM subscriptions s ${SUBSCRIPTION_FILTER}`,
  selectTopicSubscribers: `SELECT id, subscription_name, protocol, endpoint, filter_tags,
    binding_key FROM subscriptions WHERE topic_row = ? ORDER BY id`,
  deleteSubscription: "DELETE FROM subscriptions WHERE id = ?",
  deleteSubscriptionPending: `DELETE FROM deliveries
    WHERE subscription_row = ? AND status = 'pending'`,

  insertMessage: `INSERT INTO messages (msg_id, topic_row, topic_name, body, tags, published_ms)
    VALUES (?, ?, ?, ?, ?, ?)`,
  insertDelivery: `INSERT INTO deliveries
    (message_row, subscription_row, subscription_name, endpoint, attempts, next_attempt_at, status)
    VALUES (?, ?, ?, ?, 0, ?, 'pending')`,
  selectDelivery: `SELECT ${DELIVERY_COLUMNS} ${DELIVERY_FROM} WHERE d.id = ?`,
  selectDeliveryStatus: "SELECT status FROM deliveries WHERE id = ?",
  pendingDeliveries: `SELECT ${DELIVERY_COLUMNS} ${DELIVERY_FROM}
    WHERE d.status = 'pending' ORDER BY d.next_attempt_at, d.id`,
  markDone:
    "UPDATE deliveries SET status = 'done' WHERE id = ? AND status = 'pending'",
  scheduleRetry: `UPDATE deliveries SET attempts = ?, next_attempt_at = ?, last_error = ?
    WHERE id = ? AND status = 'pending'`,
  markDead: `UPDATE deliveries
    SET status = 'dead', attempts = ?, last_error = ?, dead_event = ?, failed_at = ?
    WHERE id = ? AND status = 'pending'`,
  redrive: `UPDATE deliveries
    SET status = 'pending', attempts = 0, next_attempt_at = ?, dead_event = NULL, failed_at = NULL
    WHERE id = ? AND status = 'dead'`,
  listDeadLetters: `SELECT ${DELIVERY_COLUMNS} ${DELIVERY_FROM}
    WHERE d.status = 'dead' AND (@endpoint IS NULL OR d.endpoint = @endpoint)
    ORDER BY d.failed_at DESC, d.id DESC LIMIT @limit`,
  deliveryCounts:
    "SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status",
  messageCount: "SELECT COUNT(*) AS n FROM messages",

  insertQueue: `INSERT INTO queues (queue_id, queue_name, create_time, attributes)
    VALUES (@queueId, @queueName, @createTime, @attributes)`,
  selectQueue: `SELECT ${QUEUE_COLUMNS} FROM queues q WHERE q.queue_name = @queueName`,
  selectQueueRow: "SELECT id, attributes FROM queues WHERE queue_name = ?",
  listQueues: `SELECT ${QUEUE_COLUMNS} FROM queues q ${QUEUE_FILTER}
    ORDER BY q.id LIMIT @limit OFFSET @offset`,
  countQueues: `SELECT COUNT(*) AS total FROM queues q ${QUEUE_FILTER}`,
  deleteQueue: "DELETE FROM queues WHERE id = ?",
  deleteQueueMessages: "DELETE FROM queue_messages WHERE queue_row = ?",
  insertQueueMessage: `INSERT INTO queue_messages (msg_id, queue_row, body, enqueued_ms, visible_ms)
    VALUES (?, ?, ?, ?, ?)`,
} as const;

// Rows as the statements above return them, and their conversion to records.

export interface TopicRow {
  id: number;
  topic_id: string;
  topic_name: string;
  create_time: number;
  filter_type: number;
  msg_retention_seconds: number;
  max_msg_size: number;
  msg_count: number;
  subscription_count: number;
}

export interface SubscriptionRow {
  id: number;
  subscription_id: string;
  subscription_name: string;
  topic_name: string;
  protocol: SubscriptionProtocol;
  endpoint: string;
  filter_tags: string;
  binding_key: string;
  notify_strategy: string;
  notify_content_format: string;
  create_time: number;
  msg_count: number;
}

export type SubscriberRow = Pick<
  SubscriptionRow,
  | "id"
  | "subscription_name"
  | "protocol"
  | "endpoint"
  | "filter_tags"
  | "binding_key"
>;

export interface QueueRow {
  id: number;
  queue_id: string;
  queue_name: string;
  create_time: number;
  attributes: string;
  active_count: number;
  delayed_count: number;
}

export interface DeliveryRow {
  id: number;
  subscription_name: string;
  endpoint: string;
  attempts: number;
  next_attempt_at: number;
  status: DeliveryStatus;
  last_error: string | null;
  dead_event: string | null;
  failed_at: string | null;
  msg_id: string;
  topic_name: string;
  body: string;
  tags: string;
  published_ms: number;
}

export function topicFromRow(row: TopicRow): TopicInfo {
  return {
    topicId: row.topic_id,
    topicName: row.topic_name,
    createTime: row.create_time,
    filterType: row.filter_type,
    msgRetentionSeconds: row.msg_retention_seconds,
    maxMsgSize: row.max_msg_size,
    msgCount: row.msg_count,
    subscriptionCount: row.subscription_count,
  };
}

export function queueFromRow(row: QueueRow): QueueInfo {
  return {
    ...(JSON.parse(row.attributes) as QueueAttributes),
    queueId: row.queue_id,
    queueName: row.queue_name,
    createTime: row.create_time,
    activeMsgNum: row.active_count,
    delayMsgNum: row.delayed_count,
  };
}

export function subscriptionFromRow(row: SubscriptionRow): SubscriptionInfo {
  return {
    subscriptionId: row.subscription_id,
    subscriptionName: row.subscription_name,
    topicName: row.topic_name,
    protocol: row.protocol,
    endpoint: row.endpoint,
    filterTags: JSON.parse(row.filter_tags) as string[],
    bindingKey: JSON.parse(row.binding_key) as string[],
    notifyStrategy: row.notify_strategy,
    notifyContentFormat: row.notify_content_format,
    createTime: row.create_time,
    msgCount: row.msg_count,
  };
}

export function messageFromRow(row: DeliveryRow): StoredMessage {
  return {
    msgId: row.msg_id,
    topicName: row.topic_name,
    body: row.body,
    tags: JSON.parse(row.tags) as string[],
    publishedAt: new Date(row.published_ms).toISOString(),
  };
}

export function deliveryFromRow(row: DeliveryRow): Delivery {
  const delivery: Delivery = {
    id: row.id,
    msgId: row.msg_id,
    topicName: row.topic_name,
    subscriptionName: row.subscription_name,
    endpoint: row.endpoint,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    status: row.status,
    message: messageFromRow(row),
  };
  if (row.last_error !== null) delivery.lastError = row.last_error;
  return delivery;
}

export function deadLetterFromRow(row: DeliveryRow): DeadLetter {
  return {
    deliveryId: row.id,
    msgId: row.msg_id,
    topicName: row.topic_name,
    subscriptionName: row.subscription_name,
    endpoint: row.endpoint,
    attempts: row.attempts,
    error: row.last_error ?? "",
    event: JSON.parse(row.dead_event ?? "null") as unknown,
    failedAt: row.failed_at ?? "",
    message: messageFromRow(row),
  };
}

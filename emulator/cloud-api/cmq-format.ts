import type {
  QueueInfo,
  SubscriptionInfo,
  TopicInfo,
} from "../messages/message-store";

/**
 * Store records in the response shapes of tdmq v20200217 (`CmqTopic`,
 * `CmqQueue`, `CmqSubscription`). Fields the emulator has no value for
 * (Qps, Bps, CreateUin, TenantId, NamespaceName) are left out, as Tencent
 * leaves out null fields. Tags are accepted on create but not stored, so
 * they are always empty. Nothing is ever modified, so LastModifyTime equals
 * CreateTime, and Status is always 1 (normal).
 */

/** Converts a topic to `CmqTopic`. */
export function cmqTopic(topic: TopicInfo) {
  return {
    TopicId: topic.topicId,
    TopicName: topic.topicName,
    MsgRetentionSeconds: topic.msgRetentionSeconds,
    MaxMsgSize: topic.maxMsgSize,
    FilterType: topic.filterType,
    CreateTime: topic.createTime,
    LastModifyTime: topic.createTime,
    MsgCount: topic.msgCount,
    Tags: [],
    Status: 1,
    SubscriptionCount: topic.subscriptionCount,
  };
}

/** Converts a queue to `CmqQueue`. InactiveMsgNum is 0 because the emulator has no receive API. */
export function cmqQueue(queue: QueueInfo) {
  return {
    QueueId: queue.queueId,
    QueueName: queue.queueName,
    MaxMsgHeapNum: queue.maxMsgHeapNum,
    PollingWaitSeconds: queue.pollingWaitSeconds,
    MsgRetentionSeconds: queue.msgRetentionSeconds,
    VisibilityTimeout: queue.visibilityTimeout,
    MaxMsgSize: queue.maxMsgSize,
    RewindSeconds: queue.rewindSeconds,
    CreateTime: queue.createTime,
    LastModifyTime: queue.createTime,
    ActiveMsgNum: queue.activeMsgNum,
    InactiveMsgNum: 0,
    DelayMsgNum: queue.delayMsgNum,
    RewindMsgNum: 0,
    Transaction: queue.transaction,
    ...deadLetterPolicy(queue),
    ...transactionPolicy(queue),
    Tags: [],
    Trace: queue.trace,
    Status: 1,
    RetentionSizeInMB: queue.retentionSizeInMB,
  };
}

/** Converts a subscription to `CmqSubscription`. */
export function cmqSubscription(subscription: SubscriptionInfo) {
  return {
    SubscriptionName: subscription.subscriptionName,
    SubscriptionId: subscription.subscriptionId,
    MsgCount: subscription.msgCount,
    LastModifyTime: subscription.createTime,
    CreateTime: subscription.createTime,
    BindingKey: subscription.bindingKey,
    Endpoint: subscription.endpoint,
    FilterTags: subscription.filterTags,
    Protocol: subscription.protocol,
    NotifyStrategy: subscription.notifyStrategy,
    NotifyContentFormat: subscription.notifyContentFormat,
    TopicName: subscription.topicName,
  };
}

function deadLetterPolicy(queue: QueueInfo) {
  if (queue.deadLetterQueueName === undefined) return {};
  return {
    DeadLetterPolicy: {
      DeadLetterQueue: queue.deadLetterQueueName,
      Policy: queue.policy ?? 0,
      MaxTimeToLive: queue.maxTimeToLive,
      MaxReceiveCount: queue.maxReceiveCount,
    },
  };
}

function transactionPolicy(queue: QueueInfo) {
  if (!queue.transaction) return {};
  return {
    TransactionPolicy: {
      FirstQueryInterval: queue.firstQueryInterval,
      MaxQueryCount: queue.maxQueryCount,
    },
  };
}

import type { Logger } from "pino";
import type {
  Delivery,
  MessageStore,
  SubscriptionInfo,
} from "../messages/message-store";
import {
  ApiErrorCode,
  CloudApiError,
  invalidParameterValue,
  missingParameter,
} from "./api-errors";
import { cmqQueue, cmqSubscription, cmqTopic } from "./cmq-format";
import {
  createQueueParams,
  createSubscribeParams,
  createTopicParams,
  describeQueuesParams,
  describeSubscriptionsParams,
  describeTopicsParams,
  parseParams,
  publishParams,
  queueNameParams,
  sendParams,
  subscriptionParams,
  topicNameParams,
} from "./cmq-params";

/** Services and callbacks an action handler gets besides its parameters. */
export interface ActionContext {
  store: MessageStore;
  /** Called with a publish's deliveries after its transaction commits. */
  onPublish?: (deliveries: Delivery[]) => void;
  faults?: { refusePublish?: () => boolean };
  logger?: Logger;
}

/** Runs one action on parsed JSON parameters and returns its response fields. */
export type ActionHandler = (
  params: unknown,
  context: ActionContext,
) => Record<string, unknown>;

/** Default page size of Tencent's Describe* list actions. */
const DEFAULT_LIMIT = 20;

function createCmqTopic(params: unknown, { store }: ActionContext) {
  // Trace and Tags are accepted and not stored.
  const input = parseParams(createTopicParams, params);
  const topic = store.createTopic(input.TopicName, {
    filterType: input.FilterType,
    maxMsgSize: input.MaxMsgSize,
    msgRetentionSeconds: input.MsgRetentionSeconds,
  });
  return { TopicId: topic.topicId };
}

/** IsTagFilter and Filters are accepted and ignored because topics store no tags. */
function describeCmqTopics(params: unknown, { store }: ActionContext) {
  const input = parseParams(describeTopicsParams, params);
  const { total, topics } = store.listTopics({
    name: input.TopicName,
    names: input.TopicNameList,
    offset: input.Offset ?? 0,
    limit: input.Limit ?? DEFAULT_LIMIT,
  });
  return { TopicList: topics.map(cmqTopic), TotalCount: total };
}

function describeCmqTopicDetail(params: unknown, { store }: ActionContext) {
  const { TopicName } = parseParams(topicNameParams, params);
  const topic = store.getTopic(TopicName);
  if (!topic) {
    throw new CloudApiError(
      ApiErrorCode.topicNotFound,
      `Topic ${TopicName} not found.`,
    );
  }
  return { TopicDescribe: cmqTopic(topic) };
}

function deleteCmqTopic(params: unknown, { store }: ActionContext) {
  store.deleteTopic(parseParams(topicNameParams, params).TopicName);
  return {};
}

function createCmqQueue(params: unknown, { store }: ActionContext) {
  const input = parseParams(createQueueParams, params);
  const retention = input.MsgRetentionSeconds ?? 3600;
  if (input.Policy === 1 && input.MaxTimeToLive === undefined) {
    throw missingParameter("MaxTimeToLive");
  }
  if (input.MaxTimeToLive !== undefined && input.MaxTimeToLive >= retention) {
    throw invalidParameterValue(
      "MaxTimeToLive",
      `must be less than MsgRetentionSeconds (${retention})`,
    );
  }
  const queue = store.createQueue(input.QueueName, {
    maxMsgHeapNum: input.MaxMsgHeapNum,
    pollingWaitSeconds: input.PollingWaitSeconds,
    visibilityTimeout: input.VisibilityTimeout,
    maxMsgSize: input.MaxMsgSize,
    msgRetentionSeconds: input.MsgRetentionSeconds,
    rewindSeconds: input.RewindSeconds,
    transaction:
      input.Transaction === undefined ? undefined : input.Transaction === 1,
    firstQueryInterval: input.FirstQueryInterval,
    maxQueryCount: input.MaxQueryCount,
    deadLetterQueueName: input.DeadLetterQueueName,
    policy: input.Policy,
    maxReceiveCount: input.MaxReceiveCount,
    maxTimeToLive: input.MaxTimeToLive,
    trace: input.Trace,
    retentionSizeInMB: input.RetentionSizeInMB,
  });
  return { QueueId: queue.queueId };
}

/** IsTagFilter and Filters are accepted and ignored because queues store no tags. */
function describeCmqQueues(params: unknown, { store }: ActionContext) {
  const input = parseParams(describeQueuesParams, params);
  const { total, queues } = store.listQueues({
    name: input.QueueName,
    names: input.QueueNameList,
    offset: input.Offset ?? 0,
    limit: input.Limit ?? DEFAULT_LIMIT,
  });
  return { TotalCount: total, QueueList: queues.map(cmqQueue) };
}

function describeCmqQueueDetail(params: unknown, { store }: ActionContext) {
  const { QueueName } = parseParams(queueNameParams, params);
  const queue = store.getQueue(QueueName);
  if (!queue) {
    throw new CloudApiError(
      ApiErrorCode.resourceNotFound,
      `Queue ${QueueName} not found.`,
    );
  }
  return { QueueDescribe: cmqQueue(queue) };
}

function deleteCmqQueue(params: unknown, { store }: ActionContext) {
  store.deleteQueue(parseParams(queueNameParams, params).QueueName);
  return {};
}

/**
 * Subscribes a queue or an HTTP URL. Function subscriptions (protocol "scf")
 * are not a Tencent protocol, so the emulator creates them through the store.
 */
function createCmqSubscribe(params: unknown, { store }: ActionContext) {
  const input = parseParams(createSubscribeParams, params);
  const format =
    input.NotifyContentFormat ??
    (input.Protocol === "queue" ? "SIMPLIFIED" : "JSON");
  if (input.Protocol === "queue") {
    if (format !== "SIMPLIFIED") {
      throw invalidParameterValue(
        "NotifyContentFormat",
        'must be "SIMPLIFIED" for protocol queue',
      );
    }
    if (!store.getQueue(input.Endpoint)) {
      throw new CloudApiError(
        ApiErrorCode.resourceNotFound,
        `Queue ${input.Endpoint} not found.`,
      );
    }
  }
  // NOTE: Tencent documents that an http Endpoint starts with "http://".
  // Whether it also accepts "https://" is unconfirmed, and the emulator does.
  if (input.Protocol === "http" && !/^https?:\/\//.test(input.Endpoint)) {
    throw invalidParameterValue(
      "Endpoint",
      'must start with "http://" or "https://" for protocol http',
    );
  }
  const subscription = store.createSubscription({
    topicName: input.TopicName,
    subscriptionName: input.SubscriptionName,
    protocol: input.Protocol,
    endpoint: input.Endpoint,
    filterTags: input.FilterTag,
    bindingKey: input.BindingKey,
    notifyStrategy: input.NotifyStrategy,
    notifyContentFormat: format,
  });
  return { SubscriptionId: subscription.subscriptionId };
}

/**
 * Lists a topic's subscriptions (QueryType "topic", the default) or the
 * subscriptions of every topic that push into a queue (QueryType "queue").
 */
function describeCmqSubscriptionDetail(
  params: unknown,
  { store }: ActionContext,
) {
  const input = parseParams(describeSubscriptionsParams, params);
  const offset = input.Offset ?? 0;
  const limit = input.Limit ?? DEFAULT_LIMIT;
  if (input.QueryType === "queue") {
    if (input.QueueName === undefined) throw missingParameter("QueueName");
    const matches = queueSubscriptions(
      store,
      input.QueueName,
      input.SubscriptionName,
    );
    const page = matches.slice(offset, offset + limit);
    return {
      TotalCount: matches.length,
      SubscriptionSet: page.map(cmqSubscription),
    };
  }
  if (input.TopicName === undefined) throw missingParameter("TopicName");
  const { total, subscriptions } = store.listSubscriptions(input.TopicName, {
    name: input.SubscriptionName,
    offset,
    limit,
  });
  return {
    TotalCount: total,
    SubscriptionSet: subscriptions.map(cmqSubscription),
  };
}

function queueSubscriptions(
  store: MessageStore,
  queueName: string,
  nameFilter: string | undefined,
): SubscriptionInfo[] {
  const queue = queueName.toLowerCase();
  const matches: SubscriptionInfo[] = [];
  for (const topic of store.listTopics().topics) {
    const { subscriptions } = store.listSubscriptions(topic.topicName, {
      name: nameFilter,
    });
    for (const item of subscriptions) {
      if (item.protocol === "queue" && item.endpoint.toLowerCase() === queue)
        matches.push(item);
    }
  }
  return matches;
}

function deleteCmqSubscribe(params: unknown, { store }: ActionContext) {
  const input = parseParams(subscriptionParams, params);
  store.deleteSubscription(input.TopicName, input.SubscriptionName);
  return {};
}

/**
 * Publishes to a topic, then hands the new deliveries to `onPublish` once the
 * transaction has committed. The topic's MaxMsgSize is not enforced because
 * Tencent documents both 64 KB and 1 MB for it. The 1 MB body limit applies.
 */
function publishCmqMsg(
  params: unknown,
  { store, onPublish, faults, logger }: ActionContext,
) {
  const input = parseParams(publishParams, params);
  if (faults?.refusePublish?.()) {
    throw new CloudApiError(
      ApiErrorCode.sendMsgFailed,
      "Failed to send the message: publish rejected by an injected fault.",
    );
  }
  const { message, deliveries } = store.publish(
    input.TopicName,
    input.MsgContent,
    input.MsgTag,
  );
  try {
    onPublish?.(deliveries);
  } catch (error) {
    logger?.error(
      { err: error, msgId: message.msgId, topicName: message.topicName },
      "onPublish callback failed, so the stored message stays pending until a restart resumes it",
    );
  }
  return { Result: true, MsgId: message.msgId };
}

function sendCmqMsg(params: unknown, { store }: ActionContext) {
  const input = parseParams(sendParams, params);
  const { msgId } = store.sendToQueue(
    input.QueueName,
    input.MsgContent,
    input.DelaySeconds,
  );
  return { Result: true, MsgId: msgId };
}

/** The TDMQ CMQ actions the emulator implements, by X-TC-Action name. */
export const CMQ_ACTIONS: ReadonlyMap<string, ActionHandler> = new Map<
  string,
  ActionHandler
>([
  ["CreateCmqTopic", createCmqTopic],
  ["DescribeCmqTopics", describeCmqTopics],
  ["DescribeCmqTopicDetail", describeCmqTopicDetail],
  ["DeleteCmqTopic", deleteCmqTopic],
  ["CreateCmqQueue", createCmqQueue],
  ["DescribeCmqQueues", describeCmqQueues],
  ["DescribeCmqQueueDetail", describeCmqQueueDetail],
  ["DeleteCmqQueue", deleteCmqQueue],
  ["CreateCmqSubscribe", createCmqSubscribe],
  ["DescribeCmqSubscriptionDetail", describeCmqSubscriptionDetail],
  ["DeleteCmqSubscribe", deleteCmqSubscribe],
  ["PublishCmqMsg", publishCmqMsg],
  ["SendCmqMsg", sendCmqMsg],
]);

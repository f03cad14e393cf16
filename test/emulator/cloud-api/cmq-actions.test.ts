import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import TencentCloudSDKHttpException from "tencentcloud-sdk-nodejs/tencentcloud/common/exception/tencent_cloud_sdk_exception";
import { tdmq } from "tencentcloud-sdk-nodejs/tencentcloud/services/tdmq";
import {
  type CloudApi,
  startCloudApi,
} from "../../../emulator/cloud-api/server";
import {
  type Delivery,
  MessageStore,
} from "../../../emulator/messages/message-store";

// The SDK sends through http_proxy when it is set, and loopback calls must not be proxied.
delete process.env.http_proxy;
delete process.env.HTTP_PROXY;

const SECRET_ID = "AKIDlocaltest";
const SECRET_KEY = "local-secret-key";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let dir: string;
let storePath: string;
let store: MessageStore;
let api: CloudApi;
let client: InstanceType<typeof tdmq.v20200217.Client>;
let refusePublish = false;
/** Pending delivery ids a second connection saw while onPublish ran, per call. */
const publishes: { deliveries: Delivery[]; committedIds: number[] }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cmq-actions-"));
  storePath = join(dir, "messages.db");
  store = MessageStore.open(storePath);
  api = await startCloudApi({
    port: 0,
    store,
    credentials: { [SECRET_ID]: SECRET_KEY },
    faults: { refusePublish: () => refusePublish },
    onPublish: (deliveries) => {
      const reader = MessageStore.open(storePath);
      const committedIds = reader
        .pendingDeliveries()
        .map((delivery) => delivery.id);
      reader.close();
      publishes.push({ deliveries, committedIds });
    },
  });
  client = new tdmq.v20200217.Client({
    credential: { secretId: SECRET_ID, secretKey: SECRET_KEY },
    region: "ap-guangzhou",
    profile: {
      httpProfile: {
        endpoint: api.endpoint,
        protocol: "http://",
        reqTimeout: 10,
      },
    },
  });
});

afterAll(async () => {
  await api.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  refusePublish = false;
  publishes.length = 0;
});

/** Runs an SDK call and returns the TencentCloudSDKHttpException it rejects with. */
async function sdkError(
  call: Promise<unknown>,
): Promise<TencentCloudSDKHttpException> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TencentCloudSDKHttpException) return error;
    throw error;
  }
  throw new Error("expected the SDK call to fail, but it succeeded");
}

describe("topics", () => {
  test("create returns a TopicId", async () => {
    const reply = await client.CreateCmqTopic({
      TopicName: "topic-create",
      MaxMsgSize: 2048,
    });
    expect(reply.TopicId).toMatch(/^topic-/);
    expect(reply.RequestId).toMatch(UUID);
  });

  test("create twice is ResourceInUse.Topic", async () => {
    await client.CreateCmqTopic({ TopicName: "topic-twice" });
    const error = await sdkError(
      client.CreateCmqTopic({ TopicName: "Topic-Twice" }),
    );
    expect(error.code).toBe("ResourceInUse.Topic");
    expect(error.requestId).toMatch(UUID);
  });

  test("create with bad name is InvalidParameterValue", async () => {
    const error = await sdkError(
      client.CreateCmqTopic({ TopicName: "1-bad.name" }),
    );
    expect(error.code).toBe("InvalidParameterValue");
  });

  test("create with out-of-range size is InvalidParameterValue", async () => {
    const error = await sdkError(
      client.CreateCmqTopic({ TopicName: "topic-big", MaxMsgSize: 70000 }),
    );
    expect(error.code).toBe("InvalidParameterValue");
    expect(error.message).toContain("MaxMsgSize");
  });

  test("describe detail", async () => {
    const { TopicId } = await client.CreateCmqTopic({
      TopicName: "topic-detail",
      FilterType: 2,
    });
    const { TopicDescribe } = await client.DescribeCmqTopicDetail({
      TopicName: "topic-detail",
    });
    expect(TopicDescribe?.TopicId).toBe(TopicId);
    expect(TopicDescribe?.TopicName).toBe("topic-detail");
    expect(TopicDescribe?.FilterType).toBe(2);
    expect(TopicDescribe?.MaxMsgSize).toBe(65536);
    expect(TopicDescribe?.MsgRetentionSeconds).toBe(86400);
    expect(TopicDescribe?.MsgCount).toBe(0);
    expect(TopicDescribe?.SubscriptionCount).toBe(0);
    expect(typeof TopicDescribe?.CreateTime).toBe("number");
  });

  test("describe missing topic is ResourceNotFound.Topic", async () => {
    const error = await sdkError(
      client.DescribeCmqTopicDetail({ TopicName: "topic-none" }),
    );
    expect(error.code).toBe("ResourceNotFound.Topic");
  });

  test("list filters by name", async () => {
    await client.CreateCmqTopic({ TopicName: "listed-alpha" });
    await client.CreateCmqTopic({ TopicName: "listed-beta" });
    const reply = await client.DescribeCmqTopics({
      TopicName: "LISTED-",
      Limit: 1,
    });
    expect(reply.TotalCount).toBe(2);
    expect(reply.TopicList?.map((topic) => topic.TopicName)).toEqual([
      "listed-alpha",
    ]);
    const byList = await client.DescribeCmqTopics({
      TopicNameList: ["listed-beta"],
    });
    expect(byList.TopicList?.map((topic) => topic.TopicName)).toEqual([
      "listed-beta",
    ]);
  });

  test("list limit above 50 is InvalidParameterValue", async () => {
    const error = await sdkError(client.DescribeCmqTopics({ Limit: 51 }));
    expect(error.code).toBe("InvalidParameterValue");
  });

  test("delete removes the topic", async () => {
    await client.CreateCmqTopic({ TopicName: "topic-delete" });
    await client.DeleteCmqTopic({ TopicName: "topic-delete" });
    const error = await sdkError(
      client.DescribeCmqTopicDetail({ TopicName: "topic-delete" }),
    );
    expect(error.code).toBe("ResourceNotFound.Topic");
    const again = await sdkError(
      client.DeleteCmqTopic({ TopicName: "topic-delete" }),
    );
    expect(again.code).toBe("ResourceNotFound.Topic");
  });
});

describe("queues", () => {
  test("create, describe and delete", async () => {
    const { QueueId } = await client.CreateCmqQueue({
      QueueName: "queue-crud",
      VisibilityTimeout: 60,
      Transaction: 1,
      FirstQueryInterval: 5,
      MaxQueryCount: 3,
    });
    expect(QueueId).toMatch(/^queue-/);
    const { QueueDescribe } = await client.DescribeCmqQueueDetail({
      QueueName: "queue-crud",
    });
    expect(QueueDescribe?.QueueId).toBe(QueueId);
    expect(QueueDescribe?.VisibilityTimeout).toBe(60);
    expect(QueueDescribe?.MsgRetentionSeconds).toBe(3600);
    expect(QueueDescribe?.Transaction).toBe(true);
    expect(QueueDescribe?.TransactionPolicy).toEqual({
      FirstQueryInterval: 5,
      MaxQueryCount: 3,
    });
    const listed = await client.DescribeCmqQueues({ QueueName: "queue-cr" });
    expect(listed.TotalCount).toBe(1);
    await client.DeleteCmqQueue({ QueueName: "queue-crud" });
    const error = await sdkError(
      client.DescribeCmqQueueDetail({ QueueName: "queue-crud" }),
    );
    expect(error.code).toBe("ResourceNotFound");
  });

  test("create twice is ResourceInUse.Queue", async () => {
    await client.CreateCmqQueue({ QueueName: "queue-twice" });
    const error = await sdkError(
      client.CreateCmqQueue({ QueueName: "queue-twice" }),
    );
    expect(error.code).toBe("ResourceInUse.Queue");
  });

  test("dead-letter policy is stored", async () => {
    await client.CreateCmqQueue({ QueueName: "queue-dead" });
    await client.CreateCmqQueue({
      QueueName: "queue-with-dlq",
      DeadLetterQueueName: "queue-dead",
      Policy: 0,
      MaxReceiveCount: 5,
    });
    const { QueueDescribe } = await client.DescribeCmqQueueDetail({
      QueueName: "queue-with-dlq",
    });
    expect(QueueDescribe?.DeadLetterPolicy).toMatchObject({
      DeadLetterQueue: "queue-dead",
      Policy: 0,
      MaxReceiveCount: 5,
    });
  });

  test("TTL policy without MaxTimeToLive is MissingParameter", async () => {
    const error = await sdkError(
      client.CreateCmqQueue({ QueueName: "queue-ttl", Policy: 1 }),
    );
    expect(error.code).toBe("MissingParameter");
    expect(error.message).toContain("MaxTimeToLive");
  });

  test("send adds an active message", async () => {
    await client.CreateCmqQueue({ QueueName: "queue-send" });
    const reply = await client.SendCmqMsg({
      QueueName: "queue-send",
      MsgContent: "x",
      DelaySeconds: 0,
    });
    expect(reply.Result).toBe(true);
    expect(reply.MsgId).toMatch(/^[0-9a-f]{32}$/);
    const { QueueDescribe } = await client.DescribeCmqQueueDetail({
      QueueName: "queue-send",
    });
    expect(QueueDescribe?.ActiveMsgNum).toBe(1);
  });

  test("send delay beyond retention is InvalidParameterValue", async () => {
    await client.CreateCmqQueue({
      QueueName: "queue-delay",
      MsgRetentionSeconds: 60,
    });
    const call = client.SendCmqMsg({
      QueueName: "queue-delay",
      MsgContent: "x",
      DelaySeconds: 61,
    });
    expect((await sdkError(call)).code).toBe("InvalidParameterValue");
  });

  test("send to missing queue is ResourceNotFound", async () => {
    const call = client.SendCmqMsg({
      QueueName: "queue-none",
      MsgContent: "x",
      DelaySeconds: 0,
    });
    expect((await sdkError(call)).code).toBe("ResourceNotFound");
  });
});

describe("subscriptions", () => {
  beforeAll(async () => {
    await client.CreateCmqTopic({ TopicName: "sub-topic" });
    await client.CreateCmqQueue({ QueueName: "sub-queue" });
  });

  test("subscribe, describe and delete", async () => {
    const { SubscriptionId } = await client.CreateCmqSubscribe({
      TopicName: "sub-topic",
      SubscriptionName: "to-queue",
      Protocol: "queue",
      Endpoint: "sub-queue",
      FilterTag: ["paid"],
    });
    expect(SubscriptionId).toMatch(/^sub-/);
    const reply = await client.DescribeCmqSubscriptionDetail({
      TopicName: "sub-topic",
    });
    expect(reply.TotalCount).toBe(1);
    const [subscription] = reply.SubscriptionSet ?? [];
    expect(subscription?.SubscriptionId).toBe(SubscriptionId);
    expect(subscription?.Protocol).toBe("queue");
    expect(subscription?.Endpoint).toBe("sub-queue");
    expect(subscription?.FilterTags).toEqual(["paid"]);
    expect(subscription?.NotifyContentFormat).toBe("SIMPLIFIED");
    expect(subscription?.NotifyStrategy).toBe("EXPONENTIAL_DECAY_RETRY");
    expect(subscription?.TopicName).toBe("sub-topic");

    const byQueue = await client.DescribeCmqSubscriptionDetail({
      QueryType: "queue",
      QueueName: "SUB-QUEUE",
    });
    expect(
      byQueue.SubscriptionSet?.map((item) => item.SubscriptionName),
    ).toEqual(["to-queue"]);

    await client.DeleteCmqSubscribe({
      TopicName: "sub-topic",
      SubscriptionName: "to-queue",
    });
    const after = await client.DescribeCmqSubscriptionDetail({
      TopicName: "sub-topic",
    });
    expect(after.TotalCount).toBe(0);
  });

  test("subscribe twice is ResourceInUse.Subscription", async () => {
    const request = {
      TopicName: "sub-topic",
      SubscriptionName: "hook",
      Protocol: "http",
      Endpoint: "http://127.0.0.1:9/hook",
    };
    await client.CreateCmqSubscribe(request);
    expect((await sdkError(client.CreateCmqSubscribe(request))).code).toBe(
      "ResourceInUse.Subscription",
    );
  });

  test("delete missing subscription is ResourceNotFound.Subscription", async () => {
    const call = client.DeleteCmqSubscribe({
      TopicName: "sub-topic",
      SubscriptionName: "none",
    });
    expect((await sdkError(call)).code).toBe("ResourceNotFound.Subscription");
  });

  test("subscribe to missing topic is ResourceNotFound.Topic", async () => {
    const call = client.CreateCmqSubscribe({
      TopicName: "sub-none",
      SubscriptionName: "s",
      Protocol: "queue",
      Endpoint: "sub-queue",
    });
    expect((await sdkError(call)).code).toBe("ResourceNotFound.Topic");
  });

  test.each([
    ["protocol scf", { Protocol: "scf", Endpoint: "fn" }],
    [
      "queue with JSON format",
      { Protocol: "queue", Endpoint: "sub-queue", NotifyContentFormat: "JSON" },
    ],
    ["http without a URL", { Protocol: "http", Endpoint: "example" }],
    [
      "six filter tags",
      {
        Protocol: "queue",
        Endpoint: "sub-queue",
        FilterTag: ["a", "b", "c", "d", "e", "f"],
      },
    ],
  ])("%s is InvalidParameterValue", async (_case, fields) => {
    const call = client.CreateCmqSubscribe({
      TopicName: "sub-topic",
      SubscriptionName: "bad",
      ...fields,
    });
    expect((await sdkError(call)).code).toBe("InvalidParameterValue");
  });

  test("queue endpoint must exist", async () => {
    const call = client.CreateCmqSubscribe({
      TopicName: "sub-topic",
      SubscriptionName: "no-queue",
      Protocol: "queue",
      Endpoint: "queue-none",
    });
    expect((await sdkError(call)).code).toBe("ResourceNotFound");
  });

  test("misspelled field is UnknownParameter", async () => {
    const call = client.request("CreateCmqSubscribe", {
      TopicName: "sub-topic",
      SubscriptionName: "typo",
      Protocol: "queue",
      Endpoint: "sub-queue",
      FilterTags: ["paid"],
    });
    const error = await sdkError(call);
    expect(error.code).toBe("UnknownParameter");
    expect(error.message).toContain("FilterTags");
  });

  test("topic query without TopicName is MissingParameter", async () => {
    const error = await sdkError(client.DescribeCmqSubscriptionDetail({}));
    expect(error.code).toBe("MissingParameter");
    expect(error.message).toContain("TopicName");
  });
});

describe("publish", () => {
  beforeAll(async () => {
    await client.CreateCmqTopic({ TopicName: "pub-topic" });
    store.createSubscription({
      topicName: "pub-topic",
      subscriptionName: "scf-payment",
      protocol: "scf",
      endpoint: "payment",
      filterTags: ["paid"],
    });
  });

  test("returns Result and MsgId", async () => {
    const reply = await client.PublishCmqMsg({
      TopicName: "pub-topic",
      MsgContent: '{"orderId":"o-1"}',
    });
    expect(reply.Result).toBe(true);
    expect(reply.MsgId).toMatch(/^[0-9a-f]{32}$/);
  });

  test("onPublish gets committed deliveries", async () => {
    const reply = await client.PublishCmqMsg({
      TopicName: "pub-topic",
      MsgContent: "x",
      MsgTag: ["paid"],
    });
    expect(publishes).toHaveLength(1);
    const [call] = publishes;
    expect(call?.deliveries).toHaveLength(1);
    const [delivery] = call?.deliveries ?? [];
    expect(delivery?.msgId).toBe(reply.MsgId);
    expect(delivery?.endpoint).toBe("payment");
    expect(delivery?.message.tags).toEqual(["paid"]);
    expect(call?.committedIds).toContain(delivery?.id);
  });

  test("tag filter skips other tags", async () => {
    await client.PublishCmqMsg({
      TopicName: "pub-topic",
      MsgContent: "x",
      MsgTag: ["refunded"],
    });
    expect(publishes[0]?.deliveries).toEqual([]);
  });

  test("queue subscription receives the message", async () => {
    await client.CreateCmqQueue({ QueueName: "pub-queue" });
    await client.CreateCmqSubscribe({
      TopicName: "pub-topic",
      SubscriptionName: "to-pub-queue",
      Protocol: "queue",
      Endpoint: "pub-queue",
    });
    await client.PublishCmqMsg({ TopicName: "pub-topic", MsgContent: "x" });
    const { QueueDescribe } = await client.DescribeCmqQueueDetail({
      QueueName: "pub-queue",
    });
    expect(QueueDescribe?.ActiveMsgNum).toBe(1);
  });

  test("missing topic is ResourceNotFound.Topic", async () => {
    const call = client.PublishCmqMsg({
      TopicName: "pub-none",
      MsgContent: "x",
    });
    expect((await sdkError(call)).code).toBe("ResourceNotFound.Topic");
  });

  test("injected fault is FailedOperation.SendMsgFailed", async () => {
    refusePublish = true;
    const before = store.counts().messages;
    const call = client.PublishCmqMsg({
      TopicName: "pub-topic",
      MsgContent: "x",
    });
    expect((await sdkError(call)).code).toBe("FailedOperation.SendMsgFailed");
    expect(store.counts().messages).toBe(before);
    expect(publishes).toEqual([]);
  });

  test("missing MsgContent is MissingParameter", async () => {
    const error = await sdkError(
      client.request("PublishCmqMsg", { TopicName: "pub-topic" }),
    );
    expect(error.code).toBe("MissingParameter");
    expect(error.message).toContain("MsgContent");
  });

  test("numeric MsgContent is InvalidParameterValue", async () => {
    const call = client.request("PublishCmqMsg", {
      TopicName: "pub-topic",
      MsgContent: 5,
    });
    const error = await sdkError(call);
    expect(error.code).toBe("InvalidParameterValue");
    expect(error.message).toContain("MsgContent");
  });

  test("non-string tag is InvalidParameterValue", async () => {
    const call = client.request("PublishCmqMsg", {
      TopicName: "pub-topic",
      MsgContent: "x",
      MsgTag: [1],
    });
    const error = await sdkError(call);
    expect(error.code).toBe("InvalidParameterValue");
    expect(error.message).toContain("MsgTag.0");
  });
});

test("unknown action is InvalidAction", async () => {
  const error = await sdkError(client.request("ReceiveCmqMsg", {}));
  expect(error.code).toBe("InvalidAction");
  expect(error.message).toContain("ReceiveCmqMsg");
});

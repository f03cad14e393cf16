import * as z from "zod";
import {
  ApiErrorCode,
  CloudApiError,
  invalidParameterValue,
  missingParameter,
} from "./api-errors";

/**
 * Request schemas of the TDMQ CMQ actions, with the field names of
 * tencentcloud-sdk-nodejs `tdmq/v20200217/tdmq_models.d.ts` and the value
 * ranges Tencent documents for each field. Schemas are strict: a field the
 * action does not define is rejected with UnknownParameter.
 */

const integer = (min: number, max: number) =>
  z.number().int().min(min).max(max);
const offset = z.number().int().min(0).optional();
/** Tencent's list actions default to 20 rows and allow at most 50. */
const limit = integer(1, 50).optional();
const tags = z
  .array(z.strictObject({ TagKey: z.string(), TagValue: z.string() }))
  .optional();
const filters = z
  .array(
    z.strictObject({
      Name: z.string().optional(),
      Values: z.array(z.string()).optional(),
    }),
  )
  .optional();

/** At most 5 keys of at most 64 bytes and 15 dots each. */
const bindingKeys = z
  .array(
    z
      .string()
      .refine((key) => Buffer.byteLength(key) <= 64, "longer than 64 bytes")
      .refine((key) => key.split(".").length <= 16, "more than 15 dots"),
  )
  .max(5);

export const createTopicParams = z.strictObject({
  TopicName: z.string(),
  MaxMsgSize: integer(1024, 65536).optional(),
  FilterType: integer(1, 2).optional(),
  MsgRetentionSeconds: integer(60, 86400).optional(),
  Trace: z.boolean().optional(),
  Tags: tags,
});

export const describeTopicsParams = z.strictObject({
  Offset: offset,
  Limit: limit,
  TopicName: z.string().optional(),
  TopicNameList: z.array(z.string()).optional(),
  IsTagFilter: z.boolean().optional(),
  Filters: filters,
});

/** TopicName is optional in the SDK's type, but the emulator requires it. */
export const topicNameParams = z.strictObject({ TopicName: z.string() });

export const createQueueParams = z.strictObject({
  QueueName: z.string(),
  MaxMsgHeapNum: integer(1_000_000, 1_000_000_000).optional(),
  PollingWaitSeconds: integer(0, 30).optional(),
  VisibilityTimeout: integer(1, 43200).optional(),
  MaxMsgSize: integer(1024, 1_048_576).optional(),
  MsgRetentionSeconds: integer(30, 43200).optional(),
  RewindSeconds: integer(0, 1_296_000).optional(),
  Transaction: integer(0, 1).optional(),
  FirstQueryInterval: z.number().int().min(1).optional(),
  MaxQueryCount: z.number().int().min(1).optional(),
  DeadLetterQueueName: z.string().optional(),
  Policy: integer(0, 1).optional(),
  MaxReceiveCount: integer(1, 1000).optional(),
  MaxTimeToLive: integer(300, 43200).optional(),
  Trace: z.boolean().optional(),
  Tags: tags,
  RetentionSizeInMB: z.number().int().min(0).optional(),
});

export const describeQueuesParams = z.strictObject({
  Offset: offset,
  Limit: limit,
  QueueName: z.string().optional(),
  QueueNameList: z.array(z.string()).optional(),
  IsTagFilter: z.boolean().optional(),
  Filters: filters,
});

export const queueNameParams = z.strictObject({ QueueName: z.string() });

export const createSubscribeParams = z.strictObject({
  TopicName: z.string(),
  SubscriptionName: z.string(),
  Protocol: z.enum(["queue", "http"]),
  Endpoint: z.string(),
  NotifyStrategy: z
    .enum(["BACKOFF_RETRY", "EXPONENTIAL_DECAY_RETRY"])
    .optional(),
  FilterTag: z.array(z.string().max(16)).max(5).optional(),
  BindingKey: bindingKeys.optional(),
  NotifyContentFormat: z.enum(["JSON", "SIMPLIFIED"]).optional(),
});

export const describeSubscriptionsParams = z.strictObject({
  TopicName: z.string().optional(),
  Offset: offset,
  Limit: limit,
  SubscriptionName: z.string().optional(),
  QueueName: z.string().optional(),
  QueryType: z.enum(["topic", "queue"]).optional(),
});

export const subscriptionParams = z.strictObject({
  TopicName: z.string(),
  SubscriptionName: z.string(),
});

export const publishParams = z.strictObject({
  TopicName: z.string(),
  MsgContent: z.string(),
  MsgTag: z.array(z.string().max(64)).optional(),
});

export const sendParams = z.strictObject({
  QueueName: z.string(),
  MsgContent: z.string(),
  DelaySeconds: z.number().int().min(0),
});

/**
 * Validates request parameters against a schema, throwing the Tencent error
 * for the first problem: MissingParameter for an absent or null required
 * field, UnknownParameter for an undefined field and InvalidParameterValue for
 * a wrong type or an out-of-range value.
 *
 * NOTE: Tencent's common error list describes InvalidParameter as covering
 * type errors. Whether CMQ actions return InvalidParameter or
 * InvalidParameterValue for a wrong type is unconfirmed.
 */
export function parseParams<T extends z.ZodType>(
  schema: T,
  params: unknown,
): z.infer<T> {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    throw new CloudApiError(
      ApiErrorCode.invalidParameter,
      "The request body must be a JSON object.",
    );
  }
  const result = schema.safeParse(params);
  if (result.success) return result.data;

  const issue = result.error.issues[0];
  if (!issue)
    throw new CloudApiError(
      ApiErrorCode.invalidParameter,
      "Invalid request parameters.",
    );
  const name = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const prefix = name ? `${name}.` : "";
    const unknown = issue.keys.map((key) => prefix + key).join(", ");
    throw new CloudApiError(
      ApiErrorCode.unknownParameter,
      `Unknown parameter: ${unknown}.`,
    );
  }
  if (issue.code === "invalid_type" && valueAt(params, issue.path) == null) {
    throw missingParameter(name);
  }
  throw invalidParameterValue(name, issue.message);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

import { MessageStoreError } from "../messages/message-store";

/**
 * Error codes the emulator returns. Sources: Tencent Cloud API 3.0 common
 * error codes (the AuthFailure.* codes, InvalidAction, NoSuchVersion,
 * MissingParameter, InvalidParameter, InvalidParameterValue, InternalError)
 * and the TDMQ codes in tencentcloud-sdk-go `tdmq/v20200217/errors.go`.
 */
export const ApiErrorCode = {
  invalidAuthorization: "AuthFailure.InvalidAuthorization",
  secretIdNotFound: "AuthFailure.SecretIdNotFound",
  signatureExpire: "AuthFailure.SignatureExpire",
  signatureFailure: "AuthFailure.SignatureFailure",
  invalidAction: "InvalidAction",
  noSuchVersion: "NoSuchVersion",
  missingParameter: "MissingParameter",
  invalidParameter: "InvalidParameter",
  invalidParameterValue: "InvalidParameterValue",
  unknownParameter: "UnknownParameter",
  topicInUse: "ResourceInUse.Topic",
  queueInUse: "ResourceInUse.Queue",
  subscriptionInUse: "ResourceInUse.Subscription",
  resourceNotFound: "ResourceNotFound",
  topicNotFound: "ResourceNotFound.Topic",
  subscriptionNotFound: "ResourceNotFound.Subscription",
  sendMsgFailed: "FailedOperation.SendMsgFailed",
  internalError: "InternalError",
} as const;

/** An error the API returns in `Response.Error`, with HTTP status 200 as Tencent does. */
export class CloudApiError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "CloudApiError";
    this.code = code;
  }
}

/** Builds a success body: the action's fields plus RequestId, under `Response`. */
export function successBody(
  fields: Record<string, unknown>,
  requestId: string,
) {
  return { Response: { ...fields, RequestId: requestId } };
}

/** Builds an error body in the API 3.0 envelope. */
export function errorBody(error: CloudApiError, requestId: string) {
  return {
    Response: {
      Error: { Code: error.code, Message: error.message },
      RequestId: requestId,
    },
  };
}

/** Creates the MissingParameter error for a required parameter that is absent. */
export function missingParameter(name: string): CloudApiError {
  return new CloudApiError(
    ApiErrorCode.missingParameter,
    `The request is missing the required parameter ${name}.`,
  );
}

/** Creates the InvalidParameterValue error naming the parameter and why its value fails. */
export function invalidParameterValue(
  name: string,
  reason: string,
): CloudApiError {
  return new CloudApiError(
    ApiErrorCode.invalidParameterValue,
    `Invalid value for parameter ${name}: ${reason}.`,
  );
}

/**
 * Converts anything a handler throws into the error the API returns. Message
 * store errors map to ResourceInUse.* ("exists"), ResourceNotFound[.*]
 * ("not_found") and InvalidParameterValue ("invalid"), and anything else becomes
 * InternalError.
 */
export function toCloudApiError(error: unknown): CloudApiError {
  if (error instanceof CloudApiError) return error;
  if (error instanceof MessageStoreError) return fromStoreError(error);
  return new CloudApiError(
    ApiErrorCode.internalError,
    "An internal error occurred.",
  );
}

const IN_USE_CODES = {
  topic: ApiErrorCode.topicInUse,
  queue: ApiErrorCode.queueInUse,
  subscription: ApiErrorCode.subscriptionInUse,
  delivery: ApiErrorCode.invalidParameterValue,
} as const;

/**
 * TDMQ has no ResourceNotFound.Queue, and Tencent documents plain
 * ResourceNotFound for DescribeCmqQueueDetail, DeleteCmqQueue and SendCmqMsg.
 * NOTE: PublishCmqMsg's documented codes list only plain ResourceNotFound,
 * but the emulator returns ResourceNotFound.Topic for every missing topic.
 */
const NOT_FOUND_CODES = {
  topic: ApiErrorCode.topicNotFound,
  queue: ApiErrorCode.resourceNotFound,
  subscription: ApiErrorCode.subscriptionNotFound,
  delivery: ApiErrorCode.resourceNotFound,
} as const;

function fromStoreError(error: MessageStoreError): CloudApiError {
  const resource = error.resource ?? "delivery";
  const message = `${capitalize(error.message)}.`;
  if (error.code === "exists")
    return new CloudApiError(IN_USE_CODES[resource], message);
  if (error.code === "not_found")
    return new CloudApiError(NOT_FOUND_CODES[resource], message);
  return new CloudApiError(ApiErrorCode.invalidParameterValue, message);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

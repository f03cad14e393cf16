/**
 * Factories for SCF trigger events and contexts in tests. Each returns a
 * fresh valid value in the documented shape. Top-level `overrides` replace
 * fields, and a field set to `undefined` is removed.
 */
import type { ScfContext } from "../../src/scf/context";

type Fields = Record<string, unknown>;

/** A valid create-order request body. */
export const SAMPLE_ORDER = {
  customerId: "c-1001",
  currency: "CNY",
  items: [{ sku: "TEA-250G", quantity: 2, unitPrice: 4800 }],
  paymentToken: "tok_ok",
  shippingAddress: {
    name: "Test Customer",
    line1: "1 Example Rd",
    city: "Shenzhen",
    postalCode: "518000",
    country: "CN",
  },
};

/** Builds a message envelope as the JSON string that `msgBody` carries. */
export function sampleEnvelope(
  type = "order.created",
  messageId = "msg_sample_1",
): string {
  return JSON.stringify({
    version: 1,
    messageId,
    type,
    orderId: "ord_sample",
    occurredAt: "2026-12-04T08:00:00.000Z",
    data: {},
  });
}

/** Builds an API Gateway trigger event for `POST /orders`. */
export function apigwEvent(overrides: Fields = {}): Fields {
  return applyOverrides(
    {
      requestContext: {
        serviceId: "service-test01",
        path: "/orders",
        httpMethod: "POST",
        requestId: "req-apigw-1",
        identity: { secretId: "test-secret-id" },
        sourceIp: "203.0.113.10",
        stage: "release",
      },
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "Idempotency-Key": "idem-1",
      },
      body: JSON.stringify(SAMPLE_ORDER),
      pathParameters: {},
      queryStringParameters: {},
      headerParameters: {},
      stageVariables: { stage: "release" },
      path: "/orders",
      queryString: {},
      httpMethod: "POST",
    },
    overrides,
  );
}

/** Builds a Function URL event for `POST /orders`. */
export function functionUrlEvent(overrides: Fields = {}): Fields {
  return applyOverrides(
    {
      body: JSON.stringify(SAMPLE_ORDER),
      headers: {
        accept: "application/json",
        "content-type": "application/json",
        "idempotency-key": "idem-1",
        "x-scf-remote-addr": "198.51.100.7",
      },
      httpMethod: "POST",
      path: "/orders",
      queryString: {},
    },
    overrides,
  );
}

/** Builds a CMQ topic record, applying `overrides` inside `CMQ`. */
export function cmqRecord(overrides: Fields = {}): Fields {
  const cmq = applyOverrides(
    {
      type: "topic",
      topicOwner: 1250000000,
      topicName: "order-created",
      subscriptionName: "process-payment",
      publishTime: "2026-12-04T08:00:00.000Z",
      msgId: "8512300001",
      requestId: "req-cmq-1",
      msgBody: sampleEnvelope(),
      msgTag: "tag1,tag2",
    },
    overrides,
  );
  return { CMQ: cmq };
}

/** Builds a CKafka record, applying `overrides` inside `Ckafka`. */
export function ckafkaRecord(overrides: Fields = {}): Fields {
  const ckafka = applyOverrides(
    {
      topic: "order-created",
      partition: 1,
      offset: 36,
      msgKey: "None",
      msgBody: sampleEnvelope(),
    },
    overrides,
  );
  return { Ckafka: ckafka };
}

/** Builds a queue trigger event with `records` in order. */
export function queueEvent(...records: unknown[]): { Records: unknown[] } {
  return { Records: records };
}

/** Builds a timer trigger event. */
export function timerEvent(overrides: Fields = {}): Fields {
  return applyOverrides(
    {
      Type: "Timer",
      TriggerName: "relay-outbox",
      Time: "2019-02-21T11:49:00Z",
      Message: "user define msg body",
    },
    overrides,
  );
}

/** Builds an SCF context with every documented field. */
export function scfContext(overrides: Partial<ScfContext> = {}): ScfContext {
  return {
    request_id: "req-context-1",
    function_name: "create-order",
    function_version: "$LATEST",
    namespace: "default",
    memory_limit_in_mb: 128,
    time_limit_in_ms: 3000,
    environ: "LOG_LEVEL=info;SCF_NAMESPACE=default",
    ...overrides,
  };
}

function applyOverrides(base: Fields, overrides: Fields): Fields {
  const result: Fields = { ...base, ...overrides };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete result[key];
  }
  return result;
}

/**
 * Secrets, payment tokens and street addresses never reach the logs: the
 * order pipeline runs in-process at LOG_LEVEL=debug through create-order,
 * process-payment and process-shipping, publishing to a local cloud API
 * with the real SDK and calling the real sandboxes, and every log line is
 * captured. Failures are included, because error paths log more.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type CloudApi, startCloudApi } from "../../emulator/cloud-api/server";
import { MessageStore } from "../../emulator/messages/message-store";
import { loadConfig } from "../../src/config/config";
import { createOrderHandler } from "../../src/handlers/create-order";
import { getOrderHandler } from "../../src/handlers/get-order";
import { processPaymentHandler } from "../../src/handlers/process-payment";
import { processShippingHandler } from "../../src/handlers/process-shipping";
import { createLogger } from "../../src/logging/logger";
import { PaymentClient } from "../../src/payments/payment-client";
import { CarrierClient } from "../../src/shipping/carrier-client";
import {
  createTestInstance,
  startTestProviders,
  type TestInstance,
  type TestProviders,
} from "../helpers/handler-instance";
import {
  apigwEvent,
  cmqRecord,
  functionUrlEvent,
  SAMPLE_ORDER,
  scfContext,
} from "../helpers/scf-events";

// The SDK sends through http_proxy when it is set, and loopback calls must not be proxied.
delete process.env.http_proxy;
delete process.env.HTTP_PROXY;

const SECRET_ID = "AKIDredactiontest0001";
const SECRET_KEY = "secret-key-value-3c9e71b2d4";
const ORDER_API_KEY = "order-api-key-value-8f20aa";
/** A token the payment sandbox does not know, so its error message quotes it. */
const UNKNOWN_TOKEN = "tok_redaction_marker_91f3";
const LINE1 = "77 Redaction Marker Street";

let dir: string;
let messages: MessageStore;
let cloudApi: CloudApi;
let refusePublish = false;
let providers: TestProviders;
let instance: TestInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "log-redaction-"));
  messages = MessageStore.open(join(dir, "messages.db"));
  messages.createTopic("order-created");
  messages.createTopic("order-paid");
  cloudApi = await startCloudApi({
    port: 0,
    store: messages,
    credentials: { [SECRET_ID]: SECRET_KEY },
    faults: { refusePublish: () => refusePublish },
  });
  providers = await startTestProviders();
  instance = createTestInstance({
    functionName: "order-pipeline",
    parts: ["publisher", "payment", "carrier"],
    env: {
      LOG_LEVEL: "debug",
      ORDER_API_KEYS: ORDER_API_KEY,
      TENCENTCLOUD_SECRETID: SECRET_ID,
      TENCENTCLOUD_SECRETKEY: SECRET_KEY,
      TDMQ_API_URL: cloudApi.url,
      PAYMENT_API_URL: providers.payment.url,
      PAYMENT_API_KEY: providers.paymentApiKey,
      CARRIER_API_URL: providers.carrier.url,
      CARRIER_API_KEY: providers.carrierApiKey,
    },
  });
});

afterAll(async () => {
  await instance.close();
  await providers.close();
  await cloudApi.close();
  messages.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Builds the consumers as functions/process-*\/index.ts do, logging to the instance. */
function consumers() {
  const { payment, carrier } = instance.config;
  const payments = new PaymentClient({
    baseUrl: payment!.url,
    apiKey: payment!.apiKey,
    timeoutMs: payment!.timeoutMs,
    logger: instance.logger,
  });
  const carriers = new CarrierClient({
    baseUrl: carrier!.url,
    apiKey: carrier!.apiKey,
    timeoutMs: carrier!.timeoutMs,
    logger: instance.logger,
  });
  return {
    processPayment: processPaymentHandler(instance, payments),
    processShipping: processShippingHandler(instance, carriers, payments),
  };
}

async function placeOrder(
  paymentToken: string,
  postalCode = "518000",
): Promise<string> {
  const body = {
    ...SAMPLE_ORDER,
    paymentToken,
    shippingAddress: {
      ...SAMPLE_ORDER.shippingAddress,
      line1: LINE1,
      postalCode,
    },
  };
  const response = await createOrderHandler(instance)(
    apigwEvent({
      body: JSON.stringify(body),
      headers: {
        "Content-Type": "application/json",
        "X-Api-Key": ORDER_API_KEY,
        "Idempotency-Key": `redaction-${paymentToken}-${postalCode}`,
      },
    }),
    scfContext(),
  );
  expect(response.statusCode).toBe(202);
  return (JSON.parse(response.body) as { orderId: string }).orderId;
}

function queueEventFor(type: string, orderId: string) {
  const msgBody = JSON.stringify({
    version: 1,
    messageId: `msg_${type}_${orderId}`,
    type,
    orderId,
    occurredAt: new Date().toISOString(),
    data: {},
  });
  return { Records: [cmqRecord({ msgId: `${type}-${orderId}`, msgBody })] };
}

/** Every value that must never appear in a log line, by what it is. */
const SECRETS: Array<[string, () => string]> = [
  ["TENCENTCLOUD_SECRETKEY", () => SECRET_KEY],
  ["order API key", () => ORDER_API_KEY],
  ["payment API key", () => providers.paymentApiKey],
  ["carrier API key", () => providers.carrierApiKey],
  ["unknown payment token", () => UNKNOWN_TOKEN],
  ["tok_ok payment token", () => '"tok_ok'],
  ["street address", () => LINE1],
  ["line1 field", () => '"line1"'],
];

describe("logs of the order pipeline at debug", () => {
  let logs: string;
  let failedOrderView: Record<string, unknown>;

  beforeAll(async () => {
    const { processPayment, processShipping } = consumers();

    // tok_ok: charged, published to order-paid, shipped.
    const shipped = await placeOrder("tok_ok");
    await processPayment(queueEventFor("order.created", shipped), scfContext());
    await processShipping(queueEventFor("order.paid", shipped), scfContext());

    // Undeliverable address: shipping fails for good, the charge is refunded.
    const refunded = await placeOrder("tok_ok", "000000");
    await processPayment(
      queueEventFor("order.created", refunded),
      scfContext(),
    );
    await processShipping(queueEventFor("order.paid", refunded), scfContext());

    // Unknown token: the provider's error message quotes it.
    const failed = await placeOrder(UNKNOWN_TOKEN);
    await processPayment(queueEventFor("order.created", failed), scfContext());

    // A publish the cloud API rejects is logged with the SDK's error.
    refusePublish = true;
    await placeOrder("tok_ok", "518001");
    refusePublish = false;

    // A provider outage is logged with each retry.
    providers.payment.setKnobs({ errorRate: 1 });
    const outage = await placeOrder("tok_ok", "518002");
    await expect(
      processPayment(queueEventFor("order.created", outage), scfContext()),
    ).rejects.toThrow("records failed");
    providers.payment.setKnobs({ errorRate: 0 });

    // Rejected requests that carry the secrets in their body.
    const rejected = {
      ...SAMPLE_ORDER,
      paymentToken: UNKNOWN_TOKEN,
      extra: LINE1,
    };
    await createOrderHandler(instance)(
      apigwEvent({
        body: JSON.stringify(rejected),
        headers: { "x-api-key": ORDER_API_KEY },
      }),
      scfContext(),
    );

    const view = await getOrderHandler(instance)(
      functionUrlEvent({
        httpMethod: "GET",
        path: `/orders/${failed}`,
        body: "",
        headers: { "x-api-key": ORDER_API_KEY },
      }),
      scfContext(),
    );
    failedOrderView = JSON.parse(view.body) as Record<string, unknown>;
    logs = instance.logText();
  });

  test("every step was logged", () => {
    for (const message of [
      "order accepted",
      "order paid",
      "order shipped",
      "order refunded after shipping failed",
      "payment failed",
      "publish failed; the outbox relay will retry it",
      "provider request failed; retrying",
      "record failed; the invocation will be retried",
      "request rejected",
    ]) {
      expect(logs).toContain(`"msg":"${message}"`);
    }
  });

  test.each(SECRETS)("%s is never logged", (_name, value) => {
    expect(logs).not.toContain(value());
  });

  test("failure reason hides the token", () => {
    expect(failedOrderView.status).toBe("payment_failed");
    expect(JSON.stringify(failedOrderView)).toContain("invalid_token");
    expect(JSON.stringify(failedOrderView)).not.toContain(UNKNOWN_TOKEN);
  });
});

describe("redaction of logged objects", () => {
  /** Logs `fields` through createLogger and returns the line. */
  function logged(fields: object): string {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString("utf8"));
        done();
      },
    });
    createLogger({}, destination).info(fields, "logged object");
    return chunks.join("");
  }

  const config = loadConfig(["publisher", "payment", "carrier"], {
    DATABASE_URL: "sqlite::memory:",
    ORDER_API_KEYS: ORDER_API_KEY,
    TENCENTCLOUD_SECRETID: SECRET_ID,
    TENCENTCLOUD_SECRETKEY: SECRET_KEY,
    TENCENTCLOUD_SESSIONTOKEN: "session-token-value-51aa",
    PAYMENT_API_URL: "http://127.0.0.1:9",
    PAYMENT_API_KEY: "payment-key-value-0b7c",
    CARRIER_API_URL: "http://127.0.0.1:9",
    CARRIER_API_KEY: "carrier-key-value-9d41",
  });
  const secretsOfConfig = [
    SECRET_KEY,
    "session-token-value-51aa",
    "payment-key-value-0b7c",
    "carrier-key-value-9d41",
    ORDER_API_KEY,
  ];
  const order = {
    orderId: "ord_1",
    paymentToken: UNKNOWN_TOKEN,
    shippingAddress: { line1: LINE1 },
  };

  test.each<[string, object, string[]]>([
    ["a whole Config", { config }, secretsOfConfig],
    ["a PublisherConfig", { publisher: config.publisher }, [SECRET_KEY]],
    ["a credential", { ...config.publisher?.credential }, [SECRET_KEY]],
    ["an order", { order }, [UNKNOWN_TOKEN, LINE1]],
    ["an order's fields", order, [UNKNOWN_TOKEN, LINE1]],
    ["a carrier request", { input: { address: { line1: LINE1 } } }, [LINE1]],
    ["an address", { address: { line1: LINE1 } }, [LINE1]],
    [
      "API Gateway headers",
      { event: { headers: { "X-Api-Key": ORDER_API_KEY } } },
      [ORDER_API_KEY],
    ],
    [
      "Node request headers",
      { request: { headers: { "x-api-key": ORDER_API_KEY } } },
      [ORDER_API_KEY],
    ],
    [
      "provider request headers",
      { headers: { Authorization: "Bearer payment-key-value-0b7c" } },
      ["payment-key-value-0b7c"],
    ],
  ])("%s is redacted", (_name, fields, secrets) => {
    const line = logged(fields);
    expect(line).toContain("[Redacted]");
    for (const secret of secrets) expect(line).not.toContain(secret);
  });
});

/**
 * `X-Api-Key` checks of the HTTP handlers, called in-process with
 * ORDER_API_KEYS set. requireApiKey compares SHA-256 digests with
 * timingSafeEqual; these tests check its behaviour, not its timing.
 */
import fc from "fast-check";
import { createOrderHandler } from "../../src/handlers/create-order";
import { getOrderHandler } from "../../src/handlers/get-order";
import type { IntegratedResponse } from "../../src/scf/http-response";
import {
  createTestInstance,
  type TestInstance,
} from "../helpers/handler-instance";
import {
  apigwEvent,
  functionUrlEvent,
  SAMPLE_ORDER,
  scfContext,
} from "../helpers/scf-events";

const KEY_ONE = "k1-order-api-key-5d1e9a0c";
const KEY_TWO = "k2-order-api-key-77b0c3f4";
/** A wrong key a client sent; it must not be logged either. */
const WRONG_KEY = "k3-mistyped-api-key-e6a1";

let instance: TestInstance;
let createOrder: ReturnType<typeof createOrderHandler>;
let getOrder: ReturnType<typeof getOrderHandler>;
let keyCounter = 0;

beforeAll(() => {
  instance = createTestInstance({
    functionName: "create-order",
    env: { ORDER_API_KEYS: `${KEY_ONE}, ${KEY_TWO}` },
  });
  createOrder = createOrderHandler(instance);
  getOrder = getOrderHandler(instance);
});

afterAll(async () => {
  await instance.close();
});

/** Posts the sample order with `headers` added to a fresh Idempotency-Key. */
function postOrder(
  headers: Record<string, unknown>,
): Promise<IntegratedResponse> {
  keyCounter += 1;
  return createOrder(
    apigwEvent({
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": `api-key-test-${keyCounter}`,
        ...headers,
      },
    }),
    scfContext(),
  );
}

function expectUnauthorized(response: IntegratedResponse): void {
  expect(response.statusCode).toBe(401);
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(body.error).toBe("unauthorized");
  expect(body.message).toBe("missing or invalid X-Api-Key header");
}

describe("create-order API key", () => {
  test("missing key is 401 and stores nothing", async () => {
    const before = instance.counts();
    const response = await postOrder({});
    expectUnauthorized(response);
    expect(instance.counts()).toEqual(before);
  });

  test.each([
    ["empty", ""],
    ["unknown key", WRONG_KEY],
    ["upper-cased key", KEY_ONE.toUpperCase()],
    ["key with a suffix", `${KEY_ONE}x`],
    ["key prefix", KEY_ONE.slice(0, -1)],
    ["key with a space", ` ${KEY_ONE}`],
    ["both keys in one value", `${KEY_ONE},${KEY_TWO}`],
    ["both keys as an array", [KEY_ONE, KEY_TWO]],
    ["100 KB value", "k".repeat(100_000)],
  ])("%s is 401", async (_name, value) => {
    const before = instance.counts();
    const response = await postOrder({ "X-Api-Key": value });
    expectUnauthorized(response);
    expect(instance.counts()).toEqual(before);
  });

  test.each([
    ["first key", "X-Api-Key", KEY_ONE],
    ["second key", "X-Api-Key", KEY_TWO],
    ["lower-case header name", "x-api-key", KEY_ONE],
    ["upper-case header name", "X-API-KEY", KEY_TWO],
  ])("%s is 202", async (_name, header, value) => {
    const before = instance.counts();
    const response = await postOrder({ [header]: value });
    expect(response.statusCode).toBe(202);
    expect(instance.counts().orders).toBe(before.orders + 1);
  });

  test("Idempotency-Keys are per API key", async () => {
    const post = (apiKey: string, body: object) =>
      createOrder(
        apigwEvent({
          headers: {
            "Idempotency-Key": "shared-key-across-clients",
            "X-Api-Key": apiKey,
          },
          body: JSON.stringify(body),
        }),
        scfContext(),
      );
    const first = await post(KEY_ONE, SAMPLE_ORDER);
    const second = await post(KEY_TWO, SAMPLE_ORDER);
    const conflict = await post(KEY_TWO, {
      ...SAMPLE_ORDER,
      customerId: "c-other",
    });
    const firstId = (JSON.parse(first.body) as { orderId: string }).orderId;
    const secondId = (JSON.parse(second.body) as { orderId: string }).orderId;

    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.headers["idempotent-replayed"]).toBeUndefined();
    expect(secondId).not.toBe(firstId);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.body).toContain(secondId);
    expect(conflict.body).not.toContain(firstId);
  });

  test("key is checked before the body", async () => {
    const response = await createOrder(
      apigwEvent({ body: "{not json", headers: {} }),
      scfContext(),
    );
    expectUnauthorized(response);
  });

  test("random keys are 401", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ maxLength: 64 })
          .filter((value) => value !== KEY_ONE && value !== KEY_TWO),
        async (value) => {
          const response = await postOrder({ "x-api-key": value });
          expect(response.statusCode).toBe(401);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("get-order API key", () => {
  let orderId: string;

  beforeAll(async () => {
    const response = await postOrder({ "X-Api-Key": KEY_ONE });
    orderId = (JSON.parse(response.body) as { orderId: string }).orderId;
  });

  function getEvent(id: string, headers: Record<string, string>) {
    return functionUrlEvent({
      httpMethod: "GET",
      path: `/orders/${id}`,
      body: "",
      headers,
    });
  }

  test("missing key is 401", async () => {
    const response = await getOrder(getEvent(orderId, {}), scfContext());
    expectUnauthorized(response);
  });

  test("wrong key on an unknown order is 401, not 404", async () => {
    const response = await getOrder(
      getEvent("ord_unknown", { "x-api-key": WRONG_KEY }),
      scfContext(),
    );
    expectUnauthorized(response);
  });

  test("creating client's key is 200", async () => {
    const response = await getOrder(
      getEvent(orderId, { "x-api-key": KEY_ONE }),
      scfContext(),
    );
    expect(response.statusCode).toBe(200);
  });

  test("another client's key is 404", async () => {
    const response = await getOrder(
      getEvent(orderId, { "x-api-key": KEY_TWO }),
      scfContext(),
    );
    const body = JSON.parse(response.body) as { message: string };

    expect(response.statusCode).toBe(404);
    expect(body.message).toBe(`order ${orderId} not found`);
    expect(response.body).not.toContain("Shenzhen");
  });
});

describe("API key logging", () => {
  test("no key appears in any log line", async () => {
    instance.clearLogs();
    await postOrder({});
    await postOrder({ "X-Api-Key": WRONG_KEY });
    await postOrder({ "X-Api-Key": KEY_ONE });
    await postOrder({ "x-api-key": KEY_TWO });
    const logs = instance.logText();

    expect(logs).toContain('"status":401');
    expect(logs).toContain("order accepted");
    expect(logs).not.toContain(KEY_ONE);
    expect(logs).not.toContain(KEY_TWO);
    expect(logs).not.toContain(WRONG_KEY);
  });
});

/**
 * Property tests of the HTTP handlers, called in-process with generated and
 * mutated SCF events against a real SQLite store.
 */
import fc from "fast-check";
import { createOrderHandler } from "../../src/handlers/create-order";
import { getOrderHandler } from "../../src/handlers/get-order";
import { MAX_BODY_BYTES } from "../../src/handlers/http-guard";
import type { IntegratedResponse } from "../../src/scf/http-response";
import {
  createTestInstance,
  type TableCounts,
  type TestInstance,
} from "../helpers/handler-instance";
import {
  apigwEvent,
  functionUrlEvent,
  scfContext,
} from "../helpers/scf-events";
import {
  applyEventMutation,
  baseEvent,
  bodyArb,
  type ErrorResponseBody,
  eventMutationArb,
  eventShapeArb,
  expectedTotal,
  expectWellFormedResponse,
  type Fields,
  fieldsOverlap,
  headerValueArb,
  loadSampleEvent,
  mutatedOrderJson,
  mutationField,
  orderMutationArb,
  validOrderArb,
} from "./arbitraries";

let instance: TestInstance;
let createOrder: ReturnType<typeof createOrderHandler>;
let getOrder: ReturnType<typeof getOrderHandler>;
let keyCounter = 0;

beforeAll(() => {
  instance = createTestInstance({ functionName: "create-order" });
  createOrder = createOrderHandler(instance);
  getOrder = getOrderHandler(instance);
});

afterAll(async () => {
  await instance.close();
});

/** Returns a new Idempotency-Key, so no two runs share one by accident. */
function freshKey(): string {
  keyCounter += 1;
  return `fuzz-key-${keyCounter}`;
}

/** Replaces the sample events' Idempotency-Key with a fresh one. */
function withFreshKey(event: Fields): Fields {
  const headers = event.headers as Fields;
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === "idempotency-key") headers[name] = freshKey();
  }
  return event;
}

/** Tables a rejected request must leave unchanged. */
function writtenCounts(): Omit<TableCounts, "deadLetters"> {
  const { deadLetters: _deadLetters, ...rest } = instance.counts();
  return rest;
}

/**
 * Asserts what a create-order response did to the store: a fresh 202 adds
 * one order with its history row and outbox message, anything else adds
 * nothing.
 */
function expectStoreMatches(
  response: IntegratedResponse,
  before: Omit<TableCounts, "deadLetters">,
): void {
  const after = writtenCounts();
  const fresh =
    response.statusCode === 202 &&
    response.headers["idempotent-replayed"] !== "true";
  const added = fresh ? 1 : 0;
  expect(after.orders).toBe(before.orders + added);
  expect(after.orderHistory).toBe(before.orderHistory + added);
  expect(after.outbox).toBe(before.outbox + added);
}

describe("create-order with hostile events", () => {
  test("mutated events never fail or store a rejection", async () => {
    await fc.assert(
      fc.asyncProperty(
        eventShapeArb,
        fc.array(eventMutationArb, { minLength: 1, maxLength: 4 }),
        async (shape, mutations) => {
          const event = withFreshKey(baseEvent(shape));
          for (const mutation of mutations) applyEventMutation(event, mutation);
          const before = writtenCounts();

          const response = await createOrder(event, scfContext());

          expectWellFormedResponse(response);
          expectStoreMatches(response, before);
        },
      ),
      { numRuns: 1_500 },
    );
  });

  test("random bodies never fail or store a rejection", async () => {
    await fc.assert(
      fc.asyncProperty(eventShapeArb, bodyArb, async (shape, body) => {
        const event = withFreshKey(baseEvent(shape));
        event.body = body;
        const before = writtenCounts();

        const response = await createOrder(event, scfContext());

        expectWellFormedResponse(response);
        expectStoreMatches(response, before);
      }),
      { numRuns: 800 },
    );
  });

  test("one mutated order field is a 400 naming it", async () => {
    await fc.assert(
      fc.asyncProperty(
        eventShapeArb,
        validOrderArb,
        orderMutationArb,
        async (shape, order, mutation) => {
          const event = withFreshKey(baseEvent(shape));
          event.body = mutatedOrderJson(order, mutation);
          const before = writtenCounts();

          const response = await createOrder(event, scfContext());

          const body = expectWellFormedResponse(response);
          expectStoreMatches(response, before);
          const mustFail = mutation.kind === "extraKey" || mutation.mustFail;
          if (mustFail) expect(response.statusCode).toBe(400);
          if (response.statusCode !== 202) {
            expect(response.statusCode).toBe(400);
            const fields = (body as ErrorResponseBody).issues?.map(
              (issue) => issue.field,
            );
            const target = mutationField(mutation);
            expect(fields?.some((field) => fieldsOverlap(field, target))).toBe(
              true,
            );
          }
        },
      ),
      { numRuns: 1_500 },
    );
  });

  test("valid orders get 202 and one stored order", async () => {
    await fc.assert(
      fc.asyncProperty(
        eventShapeArb,
        validOrderArb,
        fc.mixedCase(fc.constant("content-type")),
        fc.mixedCase(fc.constant("idempotency-key")),
        fc.dictionary(
          fc
            .string({ minLength: 1, maxLength: 12 })
            .filter((name) => !/^(content-type|idempotency-key)$/i.test(name)),
          fc.string({ maxLength: 20 }),
          { maxKeys: 3 },
        ),
        fc.boolean(),
        async (shape, order, typeName, keyName, extraHeaders, base64) => {
          const event = baseEvent(shape);
          const json = JSON.stringify(order);
          event.headers = {
            ...extraHeaders,
            [typeName]: "application/json; charset=utf-8",
            [keyName]: freshKey(),
          };
          event.body = base64 ? Buffer.from(json).toString("base64") : json;
          if (base64) event.isBase64Encoded = true;
          const before = writtenCounts();

          const response = await createOrder(event, scfContext());

          const accepted = expectWellFormedResponse(response) as {
            orderId: string;
            status: string;
            totalAmount: number;
          };
          expect(response.statusCode).toBe(202);
          expect(response.headers["idempotent-replayed"]).toBeUndefined();
          expectStoreMatches(response, before);
          expect(accepted.status).toBe("pending");
          expect(accepted.totalAmount).toBe(expectedTotal(order));

          const read = await getOrder(
            functionUrlEvent({
              httpMethod: "GET",
              path: `/orders/${accepted.orderId}`,
              body: "",
            }),
            scfContext(),
          );
          expect(read.statusCode).toBe(200);
          const view = JSON.parse(read.body) as { totalAmount: number };
          expect(view.totalAmount).toBe(expectedTotal(order));
        },
      ),
      { numRuns: 300 },
    );
  });

  test("events that are not objects are 400 naming event", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant(null),
          fc.constant(undefined),
          fc.integer(),
          fc.double(),
          fc.string(),
          fc.boolean(),
          fc.array(fc.jsonValue({ maxDepth: 2 })),
        ),
        fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 })),
        async (event, context) => {
          const before = writtenCounts();

          const response = await createOrder(event, context);

          const body = expectWellFormedResponse(response) as ErrorResponseBody;
          expect(response.statusCode).toBe(400);
          expect(body.issues?.[0]?.field).toBe("event");
          expect(writtenCounts()).toEqual(before);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("event without httpMethod is 400 naming it", async () => {
    for (const event of [
      apigwEvent({ httpMethod: undefined }),
      functionUrlEvent({ httpMethod: undefined }),
      { ...loadSampleEvent("create-order.apigw.json"), httpMethod: null },
    ]) {
      const response = await createOrder(event, scfContext());
      const body = expectWellFormedResponse(response) as ErrorResponseBody;
      expect(response.statusCode).toBe(400);
      expect(body.issues?.map((issue) => issue.field)).toContain("httpMethod");
    }
  });

  test("base64 flag lies are 400 naming body", async () => {
    const json = JSON.stringify(JSON.parse(apigwEvent().body as string));
    const cases: Array<[string, Fields]> = [
      ["flag without encoding", { isBase64Encoded: true, body: json }],
      [
        "encoding without flag",
        {
          isBase64Encoded: false,
          body: Buffer.from(json).toString("base64"),
        },
      ],
      [
        "bytes that are not UTF-8",
        {
          isBase64Encoded: true,
          body: Buffer.from([0xff, 0xfe, 0x7b]).toString("base64"),
        },
      ],
    ];
    for (const [name, fields] of cases) {
      const before = writtenCounts();
      const response = await createOrder(
        apigwEvent({ ...fields, headers: { "idempotency-key": freshKey() } }),
        scfContext(),
      );
      const body = expectWellFormedResponse(response) as ErrorResponseBody;
      expect([name, response.statusCode]).toEqual([name, 400]);
      expect(body.issues?.map((issue) => issue.field)).toContain("body");
      expect(writtenCounts()).toEqual(before);
    }
  });
});

describe("create-order body size limit", () => {
  test("bodies over 64 KiB are 413", async () => {
    await fc.assert(
      fc.asyncProperty(
        eventShapeArb,
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom("a", "\u00e9", "\u4e2d", "\u{1f600}"),
        fc.boolean(),
        async (shape, excess, character, base64) => {
          // Pads line2 so the body is valid JSON of MAX_BODY_BYTES + excess bytes.
          const order = JSON.parse(apigwEvent().body as string) as Fields;
          const address = order.shippingAddress as Fields;
          address.line2 = "";
          const frame = Buffer.byteLength(JSON.stringify(order));
          const charBytes = Buffer.byteLength(character);
          const count = Math.ceil(
            (MAX_BODY_BYTES + excess - frame) / charBytes,
          );
          address.line2 = character.repeat(count);
          const json = JSON.stringify(order);
          const event = withFreshKey(baseEvent(shape));
          event.body = base64 ? Buffer.from(json).toString("base64") : json;
          if (base64) event.isBase64Encoded = true;
          const before = writtenCounts();

          const response = await createOrder(event, scfContext());

          const body = expectWellFormedResponse(response) as ErrorResponseBody;
          expect(Buffer.byteLength(json)).toBeGreaterThan(MAX_BODY_BYTES);
          expect(response.statusCode).toBe(413);
          expect(body.error).toBe("payload_too_large");
          expect(writtenCounts()).toEqual(before);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("body of exactly 64 KiB is not 413", async () => {
    const order = JSON.parse(apigwEvent().body as string) as Fields;
    const address = order.shippingAddress as Fields;
    address.line2 = "";
    const frame = Buffer.byteLength(JSON.stringify(order));
    address.line2 = "a".repeat(MAX_BODY_BYTES - frame);
    const json = JSON.stringify(order);

    const response = await createOrder(
      apigwEvent({ body: json, headers: { "idempotency-key": freshKey() } }),
      scfContext(),
    );

    expect(Buffer.byteLength(json)).toBe(MAX_BODY_BYTES);
    const body = expectWellFormedResponse(response) as ErrorResponseBody;
    expect(response.statusCode).toBe(400);
    expect(body.issues?.map((issue) => issue.field)).toContain(
      "body.shippingAddress.line2",
    );
  });
});

describe("get-order with hostile events", () => {
  let storedOrderId: string;

  beforeAll(async () => {
    const response = await createOrder(
      apigwEvent({ headers: { "idempotency-key": freshKey() } }),
      scfContext(),
    );
    storedOrderId = (JSON.parse(response.body) as { orderId: string }).orderId;
  });

  const idArb = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: "binary", maxLength: 20 }),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    fc.constantFrom("orders", "", "..", "%2e%2e", "ord_x'--", "a".repeat(65)),
  );

  test("mutated GET events never fail", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("get-order.apigw.json", "get-order.function-url.json"),
        fc.option(idArb, { nil: undefined }),
        fc.option(fc.oneof(idArb, fc.string()), { nil: undefined }),
        fc.array(eventMutationArb, { maxLength: 2 }),
        fc.option(headerValueArb, { nil: undefined }),
        async (name, pathId, paramId, mutations, accept) => {
          const event = loadSampleEvent(name);
          if (pathId !== undefined) event.path = `/orders/${pathId}`;
          if (paramId !== undefined) event.pathParameters = { id: paramId };
          if (accept !== undefined) (event.headers as Fields).accept = accept;
          for (const mutation of mutations) applyEventMutation(event, mutation);
          // A GET never writes, so every table must stay as it was.
          const before = instance.counts();

          const response = await getOrder(event, scfContext());

          expectWellFormedResponse(response);
          expect([200, 400, 404, 405]).toContain(response.statusCode);
          expect(instance.counts()).toEqual(before);
        },
      ),
      { numRuns: 600 },
    );
  });

  test("stored order is found by either event shape", async () => {
    const apigw = loadSampleEvent("get-order.apigw.json");
    apigw.pathParameters = { id: storedOrderId };
    apigw.path = `/orders/${storedOrderId}`;
    const functionUrl = loadSampleEvent("get-order.function-url.json");
    functionUrl.path = `/orders/${storedOrderId}`;

    for (const event of [apigw, functionUrl]) {
      const response = await getOrder(event, scfContext());
      expect(response.statusCode).toBe(200);
      expect((JSON.parse(response.body) as { orderId: string }).orderId).toBe(
        storedOrderId,
      );
    }
  });
});

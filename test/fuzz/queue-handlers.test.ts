/**
 * Property tests of the queue handlers, called in-process with generated
 * CMQ and CKafka batches against a real SQLite store and the real payment
 * and carrier sandboxes.
 */
import fc from "fast-check";
import { TransientError } from "../../src/errors";
import { createOrderHandler } from "../../src/handlers/create-order";
import { processPaymentHandler } from "../../src/handlers/process-payment";
import { processShippingHandler } from "../../src/handlers/process-shipping";
import type { BatchResult } from "../../src/handlers/queue-batch";
import { PaymentClient } from "../../src/payments/payment-client";
import {
  createTestInstance,
  startTestProviders,
  type TestInstance,
  type TestProviders,
} from "../helpers/handler-instance";
import {
  apigwEvent,
  ckafkaRecord,
  cmqRecord,
  SAMPLE_ORDER,
  scfContext,
} from "../helpers/scf-events";
import { loadSampleEvent } from "./arbitraries";

type Fields = Record<string, unknown>;
type Source = "cmq" | "ckafka";
type Handler = (event: unknown, context: unknown) => Promise<BatchResult>;

let instance: TestInstance;
let providers: TestProviders;
let createOrder: ReturnType<typeof createOrderHandler>;
let processPayment: Handler;
let processShipping: Handler;
let counter = 0;

beforeAll(async () => {
  instance = createTestInstance({ functionName: "process-payment" });
  providers = await startTestProviders({ logger: instance.logger });
  createOrder = createOrderHandler(instance);
  processPayment = processPaymentHandler(instance, providers.payments);
  processShipping = processShippingHandler(
    instance,
    providers.carriers,
    providers.payments,
  );
});

afterAll(async () => {
  await providers.close();
  await instance.close();
});

function nextId(): number {
  counter += 1;
  return counter;
}

/** Stores a pending order through create-order and returns its id. */
async function pendingOrder(
  paymentToken = "tok_ok",
  postalCode = "518000",
): Promise<string> {
  const body = {
    ...SAMPLE_ORDER,
    paymentToken,
    shippingAddress: { ...SAMPLE_ORDER.shippingAddress, postalCode },
  };
  const response = await createOrder(
    apigwEvent({
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    }),
    scfContext(),
  );
  expect(response.statusCode).toBe(202);
  return (JSON.parse(response.body) as { orderId: string }).orderId;
}

function envelope(type: string, orderId: string, fields: Fields = {}): Fields {
  return {
    version: 1,
    messageId: `msg_fuzz_${nextId()}`,
    type,
    orderId,
    occurredAt: "2026-12-04T08:00:00.000Z",
    data: {},
    ...fields,
  };
}

/** Wraps a message body in a well-formed record with a unique message id. */
function recordOf(source: Source, msgBody: string): Fields {
  const id = nextId();
  return source === "cmq"
    ? cmqRecord({ msgId: `fuzz-${id}`, msgBody })
    : ckafkaRecord({ partition: 0, offset: id, msgBody });
}

async function statusOf(orderId: string): Promise<string | undefined> {
  return (await instance.store.getOrder(orderId))?.status;
}

// ------------------------------------------------------- record generators

const sourceArb = fc.constantFrom<Source>("cmq", "ckafka");

/** A record the handler must process: an envelope for an order it can act on. */
interface GoodSpec {
  kind: "good";
  source: Source;
  /** tok_declined and unknown tokens fail for good, which is still processed. */
  token: string;
}

/** A record the handler must dead-letter. */
type BadSpec =
  | { kind: "notRecord"; record: unknown }
  | { kind: "brokenRecord"; source: Source; field: string; value: unknown }
  | { kind: "badBody"; source: Source; msgBody: string }
  | { kind: "badEnvelope"; source: Source; fields: Fields }
  | { kind: "wrongType"; source: Source }
  | { kind: "missingOrder"; source: Source };

type RecordSpec = GoodSpec | BadSpec;

const goodArb: fc.Arbitrary<GoodSpec> = fc.record({
  kind: fc.constant("good" as const),
  source: sourceArb,
  token: fc.constantFrom("tok_ok", "tok_ok", "tok_declined", "tok_unknown_1"),
});

const notJsonArb = fc.string({ maxLength: 40 }).filter((text) => !isJson(text));

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Record fields with a value their schema rejects; `undefined` removes a
 * required field.
 */
const BROKEN_FIELDS: ReadonlyArray<[Source, string, unknown]> = [
  ["cmq", "msgId", undefined],
  ["cmq", "msgId", 42],
  ["cmq", "msgId", null],
  ["cmq", "msgBody", undefined],
  ["cmq", "msgBody", {}],
  ["cmq", "topicName", undefined],
  ["cmq", "topicName", -1],
  ["cmq", "publishTime", "not-a-time"],
  ["cmq", "publishTime", "2026-12-04"],
  ["cmq", "publishTime", null],
  ["cmq", "type", "queue"],
  ["cmq", "type", null],
  ["cmq", "topicOwner", -1],
  ["cmq", "topicOwner", "abc"],
  ["cmq", "topicOwner", 1.5],
  ["cmq", "msgTag", -1],
  ["cmq", "msgTag", [1]],
  ["ckafka", "topic", undefined],
  ["ckafka", "topic", null],
  ["ckafka", "partition", undefined],
  ["ckafka", "partition", -1],
  ["ckafka", "partition", "x1"],
  ["ckafka", "offset", undefined],
  ["ckafka", "offset", 1.5],
  ["ckafka", "offset", "-3"],
  ["ckafka", "msgBody", undefined],
  ["ckafka", "msgBody", 7],
];

const badArb: fc.Arbitrary<BadSpec> = fc.oneof(
  fc.record({
    kind: fc.constant("notRecord" as const),
    record: fc.oneof(
      fc.constant(null),
      fc.integer(),
      fc.string({ maxLength: 10 }),
      fc.boolean(),
      fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
      fc.dictionary(
        fc
          .string({ maxLength: 8 })
          .filter((key) => key !== "CMQ" && key !== "Ckafka"),
        fc.jsonValue({ maxDepth: 1 }),
        { maxKeys: 3 },
      ),
      fc.constant({ CMQ: cmqRecord().CMQ, Ckafka: ckafkaRecord().Ckafka }),
      fc.record({
        CMQ: fc.oneof(fc.constant(null), fc.string(), fc.integer()),
      }),
    ),
  }),
  fc.constantFrom(...BROKEN_FIELDS).map(([source, field, value]): BadSpec => ({
    kind: "brokenRecord",
    source,
    field,
    value,
  })),
  fc.record({
    kind: fc.constant("badBody" as const),
    source: sourceArb,
    msgBody: fc.oneof(
      notJsonArb,
      fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    ),
  }),
  fc.record({
    kind: fc.constant("badEnvelope" as const),
    source: sourceArb,
    fields: fc.oneof(
      fc.record({ version: fc.constantFrom(0, 2, "1", null) }),
      fc.record({ messageId: fc.constantFrom("", 7, "m".repeat(129)) }),
      fc.record({
        type: fc.oneof(
          fc.constantFrom("order.refunded", "ORDER.CREATED", "", null),
          fc.string({ maxLength: 12 }),
        ),
      }),
      fc.record({ orderId: fc.constantFrom("", 42, "o".repeat(129)) }),
      fc.record({
        occurredAt: fc.constantFrom("yesterday", "2026-12-04", 0, ""),
      }),
      fc.record({ data: fc.constantFrom([], "x", 3) }),
      fc.record({
        version: fc.constant(undefined),
        type: fc.constant(undefined),
      }),
    ),
  }),
  fc.record({ kind: fc.constant("wrongType" as const), source: sourceArb }),
  fc.record({ kind: fc.constant("missingOrder" as const), source: sourceArb }),
);

const batchArb = fc.array(
  fc.oneof({ arbitrary: goodArb, weight: 2 }, { arbitrary: badArb, weight: 3 }),
  { minLength: 1, maxLength: 6 },
);

const contextArb = fc.oneof(
  fc.constant<unknown>(scfContext({ time_limit_in_ms: 30_000 })),
  fc.constant<unknown>(null),
  fc.constant<unknown>({}),
  fc.constant<unknown>("context"),
  fc.constant<unknown>({ request_id: 5, time_limit_in_ms: "30000" }),
);

/** A record built from its spec, and the order it acts on, if any. */
interface BuiltRecord {
  spec: RecordSpec;
  record: unknown;
  /** An order the record names, which only a good record may change. */
  orderId?: string;
}

/**
 * Builds the records of a payment batch. Every bad record that names an
 * order names a real pending one, so a wrongly processed record shows up
 * as a changed status.
 */
async function buildPaymentRecord(spec: RecordSpec): Promise<BuiltRecord> {
  const created = (type: string, orderId: string, fields: Fields = {}) =>
    JSON.stringify(envelope(type, orderId, fields));
  switch (spec.kind) {
    case "good": {
      const orderId = await pendingOrder(spec.token);
      return {
        spec,
        orderId,
        record: recordOf(spec.source, created("order.created", orderId)),
      };
    }
    case "notRecord":
      return { spec, record: spec.record };
    case "brokenRecord": {
      const orderId = await pendingOrder();
      const record = recordOf(spec.source, created("order.created", orderId));
      const inner = (
        spec.source === "cmq" ? record.CMQ : record.Ckafka
      ) as Fields;
      if (spec.value === undefined) delete inner[spec.field];
      else inner[spec.field] = spec.value;
      return { spec, orderId, record };
    }
    case "badBody":
      return { spec, record: recordOf(spec.source, spec.msgBody) };
    case "badEnvelope": {
      const orderId = await pendingOrder();
      const body = envelope("order.created", orderId, spec.fields);
      for (const [key, value] of Object.entries(spec.fields))
        if (value === undefined) delete body[key];
      return {
        spec,
        orderId,
        record: recordOf(spec.source, JSON.stringify(body)),
      };
    }
    case "wrongType": {
      const orderId = await pendingOrder();
      return {
        spec,
        orderId,
        record: recordOf(spec.source, created("order.paid", orderId)),
      };
    }
    case "missingOrder":
      return {
        spec,
        record: recordOf(
          spec.source,
          created("order.created", `ord_missing_${nextId()}`),
        ),
      };
  }
}

/** Expected status of a good payment record's order after the batch. */
function paidStatusOf(token: string): string {
  return token === "tok_ok" ? "paid" : "payment_failed";
}

function uniqueSorted(values: string[]): string[] {
  return [...new Set(values)].sort();
}

describe("process-payment with hostile batches", () => {
  test("bad records are dead-lettered, good ones processed", async () => {
    await fc.assert(
      fc.asyncProperty(batchArb, contextArb, async (specs, context) => {
        const built: BuiltRecord[] = [];
        for (const spec of specs) built.push(await buildPaymentRecord(spec));
        const bad = built.filter((entry) => entry.spec.kind !== "good");
        const good = built.filter((entry) => entry.spec.kind === "good");
        instance.clearDeadLetters();

        const result = await processPayment(
          { Records: built.map((entry) => entry.record) },
          context,
        );

        expect(result).toEqual({
          processed: good.length,
          skipped: 0,
          deadLettered: bad.length,
        });
        expect(uniqueSorted(instance.deadLetterPayloads())).toEqual(
          uniqueSorted(bad.map((entry) => JSON.stringify(entry.record))),
        );
        for (const entry of good) {
          const token = (entry.spec as GoodSpec).token;
          expect(await statusOf(entry.orderId as string)).toBe(
            paidStatusOf(token),
          );
        }
        for (const entry of bad) {
          if (entry.orderId === undefined) continue;
          expect(await statusOf(entry.orderId)).toBe("pending");
        }
      }),
      { numRuns: 150 },
    );
  });

  test("events without a Records array are dead-lettered whole", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant<unknown>(null),
          fc.constant<unknown>(undefined),
          fc.integer(),
          fc.string({ maxLength: 20 }),
          fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
          fc.constant<unknown>({}),
          fc.record({
            Records: fc.oneof(
              fc.constant<unknown>(null),
              fc.integer(),
              fc.string({ maxLength: 10 }),
              fc.constant<unknown>({ 0: cmqRecord() }),
            ),
          }),
          fc.constant<unknown>({ records: [cmqRecord()] }),
        ),
        async (event) => {
          instance.clearDeadLetters();

          const result = await processPayment(event, scfContext());

          expect(result).toEqual({ processed: 0, skipped: 0, deadLettered: 1 });
          expect(instance.deadLetterPayloads()).toEqual([
            JSON.stringify(event) ?? "null",
          ]);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("empty Records is an empty batch", async () => {
    instance.clearDeadLetters();
    const result = await processPayment({ Records: [] }, scfContext());
    expect(result).toEqual({ processed: 0, skipped: 0, deadLettered: 0 });
    expect(instance.counts().deadLetters).toBe(0);
  });

  test("sample events dead-letter the unknown order", async () => {
    for (const name of [
      "process-payment.cmq.json",
      "process-payment.ckafka.json",
    ]) {
      instance.clearDeadLetters();
      const result = await processPayment(loadSampleEvent(name), scfContext());
      expect(result).toEqual({ processed: 0, skipped: 0, deadLettered: 1 });
    }
  });

  test("redelivered batch is skipped, not charged twice", async () => {
    const orderId = await pendingOrder();
    const event = {
      Records: [
        recordOf("cmq", JSON.stringify(envelope("order.created", orderId))),
      ],
    };
    const first = await processPayment(event, scfContext());
    const second = await processPayment(event, scfContext());
    expect(first).toEqual({ processed: 1, skipped: 0, deadLettered: 0 });
    expect(second).toEqual({ processed: 0, skipped: 1, deadLettered: 0 });
    expect(await statusOf(orderId)).toBe("paid");
  });
});

describe("process-payment under provider failures", () => {
  let singleAttempt: Handler;

  beforeAll(() => {
    const payments = new PaymentClient({
      baseUrl: providers.payment.url,
      apiKey: providers.paymentApiKey,
      timeoutMs: 2_000,
      maxAttempts: 1,
    });
    singleAttempt = processPaymentHandler(instance, payments);
  });

  afterEach(() => providers.payment.setKnobs({ errorRate: 0 }));

  test("only transient failures fail the invocation", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(goodArb, badArb), { minLength: 1, maxLength: 4 }),
        async (specs) => {
          const built: BuiltRecord[] = [];
          for (const spec of specs) built.push(await buildPaymentRecord(spec));
          const bad = built.filter((entry) => entry.spec.kind !== "good");
          const good = built.filter((entry) => entry.spec.kind === "good");
          const event = { Records: built.map((entry) => entry.record) };
          instance.clearDeadLetters();
          providers.payment.setKnobs({ errorRate: 1 });

          let failure: unknown;
          let result: BatchResult | undefined;
          try {
            result = await singleAttempt(event, scfContext());
          } catch (error) {
            failure = error;
          }

          if (good.length > 0) expect(failure).toBeInstanceOf(TransientError);
          else
            expect(result).toEqual({
              processed: 0,
              skipped: 0,
              deadLettered: bad.length,
            });
          expect(uniqueSorted(instance.deadLetterPayloads())).toEqual(
            uniqueSorted(bad.map((entry) => JSON.stringify(entry.record))),
          );
          for (const entry of built) {
            if (entry.orderId === undefined) continue;
            expect(await statusOf(entry.orderId)).toBe("pending");
          }

          // SCF's retry of the same event, once the provider recovers.
          providers.payment.setKnobs({ errorRate: 0 });
          const retried = await singleAttempt(event, scfContext());
          expect(retried).toEqual({
            processed: good.length,
            skipped: 0,
            deadLettered: bad.length,
          });
          expect(uniqueSorted(instance.deadLetterPayloads())).toEqual(
            uniqueSorted(bad.map((entry) => JSON.stringify(entry.record))),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  test("flaky token succeeds within the invocation", async () => {
    const orderId = await pendingOrder("tok_flaky");
    const event = {
      Records: [
        recordOf("cmq", JSON.stringify(envelope("order.created", orderId))),
      ],
    };
    const result = await processPayment(event, scfContext());
    expect(result).toEqual({ processed: 1, skipped: 0, deadLettered: 0 });
    expect(await statusOf(orderId)).toBe("paid");
  });
});

describe("process-shipping with hostile batches", () => {
  /** Takes a new order through process-payment to `paid`. */
  async function paidOrder(postalCode: string): Promise<string> {
    const orderId = await pendingOrder("tok_ok", postalCode);
    await processPayment(
      {
        Records: [
          recordOf("cmq", JSON.stringify(envelope("order.created", orderId))),
        ],
      },
      scfContext(),
    );
    expect(await statusOf(orderId)).toBe("paid");
    return orderId;
  }

  const shippingSpecArb = fc.oneof(
    fc.record({
      kind: fc.constant("good" as const),
      source: sourceArb,
      postalCode: fc.constantFrom("518000", "000000", "999999"),
    }),
    fc.record({ kind: fc.constant("wrongType" as const), source: sourceArb }),
    fc.record({
      kind: fc.constant("badBody" as const),
      source: sourceArb,
      msgBody: notJsonArb,
    }),
    fc.record({
      kind: fc.constant("notRecord" as const),
      record: fc.oneof(fc.constant(null), fc.integer(), fc.constant({})),
    }),
  );

  test("bad records are dead-lettered, good ones shipped", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(shippingSpecArb, { minLength: 1, maxLength: 4 }),
        async (specs) => {
          const built: Array<{
            record: unknown;
            orderId?: string;
            expected?: string;
            good: boolean;
          }> = [];
          for (const spec of specs) {
            if (spec.kind === "good") {
              const orderId = await paidOrder(spec.postalCode);
              const body = JSON.stringify(envelope("order.paid", orderId));
              built.push({
                record: recordOf(spec.source, body),
                orderId,
                expected: spec.postalCode === "000000" ? "refunded" : "shipped",
                good: true,
              });
            } else if (spec.kind === "wrongType") {
              const orderId = await paidOrder("518000");
              const body = JSON.stringify(envelope("order.created", orderId));
              built.push({
                record: recordOf(spec.source, body),
                orderId,
                expected: "paid",
                good: false,
              });
            } else if (spec.kind === "badBody") {
              built.push({
                record: recordOf(spec.source, spec.msgBody),
                good: false,
              });
            } else {
              built.push({ record: spec.record, good: false });
            }
          }
          const bad = built.filter((entry) => !entry.good);
          instance.clearDeadLetters();

          const result = await processShipping(
            { Records: built.map((entry) => entry.record) },
            scfContext({ time_limit_in_ms: 30_000 }),
          );

          expect(result).toEqual({
            processed: built.length - bad.length,
            skipped: 0,
            deadLettered: bad.length,
          });
          expect(uniqueSorted(instance.deadLetterPayloads())).toEqual(
            uniqueSorted(bad.map((entry) => JSON.stringify(entry.record))),
          );
          for (const entry of built) {
            if (entry.orderId === undefined) continue;
            expect(await statusOf(entry.orderId)).toBe(entry.expected);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  test("event without Records is dead-lettered whole", async () => {
    instance.clearDeadLetters();
    const result = await processShipping({ Records: "x" }, scfContext());
    expect(result).toEqual({ processed: 0, skipped: 0, deadLettered: 1 });
    expect(instance.counts().deadLetters).toBe(1);
  });
});

/**
 * fast-check arbitraries for hostile HTTP input: valid orders, orders with
 * one field mutated, and SCF HTTP events with mutations described as data,
 * so that a counterexample prints as a readable value.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { HTTP_METHODS } from "../../src/scf/http-event";
import type { IntegratedResponse } from "../../src/scf/http-response";
import { apigwEvent, functionUrlEvent } from "../helpers/scf-events";

export type Fields = Record<string, unknown>;

// ---------------------------------------------------------------- orders

/**
 * Controls, line separators, bidi embeddings/overrides/isolates, invisible
 * spaces and lone surrogates: never valid in an address.
 */
const UNSAFE_ADDRESS_TEXT =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b\ufeff]|[\ud800-\udfff]/u;

/** Address text must show at least one letter or digit. */
const VISIBLE = /[\p{L}\p{N}]/u;

const textArb = (maxLength: number) =>
  fc
    .string({ unit: "grapheme", minLength: 1, maxLength: 40 })
    .filter(
      (text) =>
        text.trim().length > 0 &&
        text.trim().length <= maxLength &&
        !UNSAFE_ADDRESS_TEXT.test(text) &&
        VISIBLE.test(text),
    );

/**
 * Valid `POST /orders` bodies: up to 5 items of at most 1000 x 200 000
 * minor units, each priced at least 1, so the total is never 0 and never
 * passes MAX_ORDER_TOTAL (10^9).
 */
export const validOrderArb = fc.record({
  customerId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/),
  currency: fc.constantFrom("CNY", "USD", "EUR", "JPY", "HKD", "GBP"),
  items: fc.array(
    fc.record({
      sku: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
      quantity: fc.integer({ min: 1, max: 1_000 }),
      unitPrice: fc.integer({ min: 1, max: 200_000 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  paymentToken: fc
    .stringMatching(/^[A-Za-z0-9_-]{3,128}$/)
    .filter((token) => !/^\d{12,19}$/.test(token)),
  shippingAddress: fc.record(
    {
      name: textArb(100),
      line1: textArb(200),
      line2: textArb(200),
      city: textArb(100),
      region: textArb(100),
      postalCode: fc.stringMatching(/^[A-Za-z0-9 -]{2,12}$/),
      country: fc.stringMatching(/^[A-Z]{2}$/),
    },
    { requiredKeys: ["name", "line1", "city", "postalCode", "country"] },
  ),
});

export type GeneratedOrder =
  typeof validOrderArb extends fc.Arbitrary<infer T> ? T : never;

/** Sums quantity x unitPrice, as the handler's totalOf does. */
export function expectedTotal(order: GeneratedOrder): number {
  return order.items.reduce(
    (sum, item) => sum + item.quantity * item.unitPrice,
    0,
  );
}

/** Paths of an order's fields, with whether the schema requires each. */
const ORDER_FIELDS: ReadonlyArray<{ path: string[]; required: boolean }> = [
  { path: ["customerId"], required: true },
  { path: ["currency"], required: true },
  { path: ["items"], required: true },
  { path: ["items", "0"], required: true },
  { path: ["items", "0", "sku"], required: true },
  { path: ["items", "0", "quantity"], required: true },
  { path: ["items", "0", "unitPrice"], required: true },
  { path: ["paymentToken"], required: true },
  { path: ["shippingAddress"], required: true },
  { path: ["shippingAddress", "name"], required: true },
  { path: ["shippingAddress", "line1"], required: true },
  { path: ["shippingAddress", "line2"], required: false },
  { path: ["shippingAddress", "city"], required: true },
  { path: ["shippingAddress", "region"], required: false },
  { path: ["shippingAddress", "postalCode"], required: true },
  { path: ["shippingAddress", "country"], required: true },
];

const OBJECT_PATHS: ReadonlyArray<string[]> = [
  [],
  ["items", "0"],
  ["shippingAddress"],
];

/** Builds `{"a":{"a":…}}` or `[[…]]` nested `depth` levels deep. */
function nested(depth: number, asArray: boolean): unknown {
  let value: unknown = asArray ? [] : {};
  for (let level = 0; level < depth; level += 1)
    value = asArray ? [value] : { a: value };
  return value;
}

/**
 * One mutation of one order field. `mustFail` is true when the schema can
 * never accept the result; a unicode string may still be a valid name.
 */
export type OrderMutation =
  | { kind: "delete"; path: string[]; mustFail: boolean }
  | { kind: "set"; path: string[]; value: unknown; mustFail: boolean }
  | { kind: "extraKey"; path: string[]; key: string; value: unknown };

const wrongTypeArb = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), {
    minKeys: 1,
    maxKeys: 2,
  }),
);

/** Numbers above every quantity and unit price limit, and unsafe integers. */
const hugeNumberArb = fc.constantFrom(
  1e21,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 63,
  2 ** 31,
  1_000_000_001,
);

const fieldMutationArb: fc.Arbitrary<OrderMutation> = fc
  .constantFrom(...ORDER_FIELDS)
  .chain(({ path, required }) => {
    // Every field is a string except quantity and unitPrice, and the
    // objects and array; a number is the wrong type for a string field.
    const numeric = path.at(-1) === "quantity" || path.at(-1) === "unitPrice";
    const container = isContainer(path);
    const set = (value: fc.Arbitrary<unknown>, mustFail: boolean) =>
      value.map((v): OrderMutation => ({
        kind: "set",
        path,
        value: v,
        mustFail,
      }));
    const options: Array<fc.Arbitrary<OrderMutation>> = [
      fc.constant<OrderMutation>({ kind: "delete", path, mustFail: required }),
      set(wrongTypeArb, true),
      set(
        fc
          .integer({ min: 1, max: 4 })
          .map((depth) => nested(depth * 150, depth % 2 === 0)),
        true,
      ),
    ];
    if (numeric) {
      options.push(
        set(fc.string({ maxLength: 10 }), true),
        set(hugeNumberArb, true),
        set(fc.integer({ min: -1_000_000, max: -1 }), true),
        set(
          fc
            .double({ min: -1e6, max: 1e6, noNaN: true })
            .filter((value) => !Number.isInteger(value)),
          true,
        ),
      );
    } else if (!container) {
      options.push(
        set(fc.integer(), true),
        set(fc.double(), true),
        set(fc.string({ unit: "binary", maxLength: 30 }), false),
        set(fc.string({ unit: "grapheme", maxLength: 30 }), false),
        // Longer than every string limit, but the body stays under 64 KiB.
        set(
          fc
            .integer({ min: 300, max: 30_000 })
            .map((length) => "\u00e9".repeat(length)),
          true,
        ),
      );
    } else if (path.length === 1 && path[0] === "items") {
      options.push(
        set(fc.constant([]), true),
        set(
          fc.integer({ min: 101, max: 150 }).map((count) =>
            Array.from({ length: count }, () => ({
              sku: "A",
              quantity: 1,
              unitPrice: 1,
            })),
          ),
          true,
        ),
      );
    }
    return fc.oneof(...options);
  });

function isContainer(path: string[]): boolean {
  const key = path.join(".");
  return key === "items" || key === "items.0" || key === "shippingAddress";
}

const KNOWN_KEYS = new Set(
  ORDER_FIELDS.map(({ path }) => path.at(-1)).filter(
    (key) => key !== undefined && !/^\d+$/.test(key),
  ),
);

const extraKeyMutationArb: fc.Arbitrary<OrderMutation> = fc.record({
  kind: fc.constant("extraKey" as const),
  path: fc.constantFrom(...OBJECT_PATHS),
  key: fc.oneof(
    fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "toString",
      "cardNumber",
      "totalAmount",
      "status",
      "orderId",
    ),
    fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((key) => !KNOWN_KEYS.has(key)),
  ),
  value: fc.jsonValue({ maxDepth: 2 }),
});

export const orderMutationArb: fc.Arbitrary<OrderMutation> = fc.oneof(
  { arbitrary: fieldMutationArb, weight: 4 },
  { arbitrary: extraKeyMutationArb, weight: 1 },
);

/** Returns the body field the mutation targets, such as `body.items.0.sku`. */
export function mutationField(mutation: OrderMutation): string {
  return ["body", ...mutation.path].join(".");
}

/**
 * Applies `mutation` to a deep copy of `order` and returns the JSON text.
 * An extra key is written into the text, so `__proto__` stays an own key.
 */
export function mutatedOrderJson(
  order: unknown,
  mutation: OrderMutation,
): string {
  const copy = structuredClone(order) as Fields;
  const parentPath = mutation.path.slice(0, -1);
  const last = mutation.path.at(-1);
  if (mutation.kind === "extraKey") {
    const marker = "__fuzz_extra_key__";
    const target = walk(copy, mutation.path);
    target[marker] = mutation.value;
    return JSON.stringify(copy).replace(
      JSON.stringify(marker),
      JSON.stringify(mutation.key),
    );
  }
  const parent = walk(copy, parentPath);
  if (last === undefined) return JSON.stringify(copy);
  if (mutation.kind === "delete") delete parent[last];
  else parent[last] = mutation.value;
  return JSON.stringify(copy);
}

function walk(root: Fields, path: string[]): Fields {
  let node: unknown = root;
  for (const key of path) node = (node as Fields)[key];
  return node as Fields;
}

/** Tells whether one dotted field path contains the other. */
export function fieldsOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

// ---------------------------------------------------------------- events

/** Names of the sample events in `events/` that the handlers accept. */
const EVENTS_DIR = join(__dirname, "../../events");

export function loadSampleEvent(name: string): Fields {
  return JSON.parse(readFileSync(join(EVENTS_DIR, name), "utf8")) as Fields;
}

export type EventShape =
  | "apigw"
  | "function-url"
  | "create-order.apigw.json"
  | "create-order.function-url.json";

export const eventShapeArb = fc.constantFrom<EventShape>(
  "apigw",
  "function-url",
  "create-order.apigw.json",
  "create-order.function-url.json",
);

/** Builds a fresh `POST /orders` event of `shape`. */
export function baseEvent(shape: EventShape): Fields {
  if (shape === "apigw") return apigwEvent();
  if (shape === "function-url") return functionUrlEvent();
  return loadSampleEvent(shape);
}

const EVENT_FIELDS = [
  "httpMethod",
  "path",
  "headers",
  "body",
  "isBase64Encoded",
  "requestContext",
  "queryString",
  "queryStringParameters",
  "pathParameters",
  "headerParameters",
  "stageVariables",
];

export const headerValueArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), {
    maxKeys: 2,
  }),
);

const headerNameArb = fc.oneof(
  fc.mixedCase(
    fc.constantFrom(
      "content-type",
      "idempotency-key",
      "x-api-key",
      "content-length",
      "accept",
      "host",
      "x-scf-request-id",
      "x-api-requestid",
    ),
  ),
  fc.constantFrom("__proto__", "constructor", "hasOwnProperty", ""),
  fc.string({ maxLength: 20 }),
);

/** Request bodies: random text, random JSON and orders with a mutation. */
export const bodyArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 100 }),
  fc.json({ maxDepth: 3 }),
  fc
    .tuple(validOrderArb, orderMutationArb)
    .map(([order, mutation]) => mutatedOrderJson(order, mutation)),
  validOrderArb.map((order) => JSON.stringify(order)),
);

/** One change to an SCF HTTP event. */
export type EventMutation =
  | { kind: "set"; field: string; value: unknown }
  | { kind: "delete"; field: string }
  | { kind: "header"; name: string; value: unknown }
  | { kind: "dropHeader"; name: string }
  | { kind: "headerCase"; upper: boolean }
  | { kind: "method"; method: string }
  | { kind: "body"; body: string }
  | {
      kind: "base64";
      mode: "claimOnly" | "encodeOnly" | "encode" | "stringFlag";
    }
  | { kind: "binaryBody"; bytes: number[] };

export const eventMutationArb: fc.Arbitrary<EventMutation> = fc.oneof(
  fc.record({
    kind: fc.constant("set" as const),
    field: fc.oneof(
      fc.constantFrom(...EVENT_FIELDS),
      fc.string({ maxLength: 10 }),
    ),
    value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), wrongTypeArb),
  }),
  fc.record({
    kind: fc.constant("delete" as const),
    field: fc.constantFrom(...EVENT_FIELDS),
  }),
  fc.record({
    kind: fc.constant("header" as const),
    name: headerNameArb,
    value: headerValueArb,
  }),
  fc.record({
    kind: fc.constant("dropHeader" as const),
    name: fc.constantFrom("content-type", "idempotency-key"),
  }),
  fc.record({ kind: fc.constant("headerCase" as const), upper: fc.boolean() }),
  fc.record({
    kind: fc.constant("method" as const),
    method: fc.oneof(
      fc.mixedCase(fc.constantFrom(...HTTP_METHODS)),
      fc.string({ maxLength: 8 }),
    ),
  }),
  fc.record({ kind: fc.constant("body" as const), body: bodyArb }),
  fc.record({
    kind: fc.constant("base64" as const),
    mode: fc.constantFrom(
      "claimOnly" as const,
      "encodeOnly" as const,
      "encode" as const,
      "stringFlag" as const,
    ),
  }),
  fc.record({
    kind: fc.constant("binaryBody" as const),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }),
  }),
);

/** Applies `mutation` to `event` in place. */
export function applyEventMutation(
  event: Fields,
  mutation: EventMutation,
): void {
  const headers = (): Fields => {
    const current = event.headers;
    if (
      typeof current === "object" &&
      current !== null &&
      !Array.isArray(current)
    )
      return current as Fields;
    const fresh: Fields = {};
    event.headers = fresh;
    return fresh;
  };
  switch (mutation.kind) {
    case "set":
      setOwn(event, mutation.field, mutation.value);
      return;
    case "delete":
      delete event[mutation.field];
      return;
    case "header":
      setOwn(headers(), mutation.name, mutation.value);
      return;
    case "dropHeader": {
      const all = headers();
      for (const name of Object.keys(all))
        if (name.toLowerCase() === mutation.name) delete all[name];
      return;
    }
    case "headerCase": {
      const all = headers();
      for (const name of Object.keys(all)) {
        const value = all[name];
        delete all[name];
        all[mutation.upper ? name.toUpperCase() : name.toLowerCase()] = value;
      }
      return;
    }
    case "method":
      event.httpMethod = mutation.method;
      return;
    case "body":
      event.body = mutation.body;
      return;
    case "base64": {
      const body = typeof event.body === "string" ? event.body : "";
      const encoded = Buffer.from(body, "utf8").toString("base64");
      if (mutation.mode === "claimOnly") event.isBase64Encoded = true;
      if (mutation.mode === "encodeOnly") {
        event.body = encoded;
        event.isBase64Encoded = false;
      }
      if (mutation.mode === "encode") {
        event.body = encoded;
        event.isBase64Encoded = true;
      }
      if (mutation.mode === "stringFlag") event.isBase64Encoded = "true";
      return;
    }
    case "binaryBody":
      event.body = Buffer.from(mutation.bytes).toString("base64");
      event.isBase64Encoded = true;
      return;
  }
}

/** Sets an own property; for `__proto__` too, as JSON.parse would. */
function setOwn(target: Fields, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

// ---------------------------------------------------------------- checks

/** Top-level fields of an SCF HTTP event that a 400 may name. */
const EVENT_FIELD_PATTERN =
  /^(event|body|headers|httpMethod|path|isBase64Encoded|requestContext|queryString|queryStringParameters|pathParameters|headerParameters|stageVariables)(\.|$)/;

/** The JSON body of an error response. */
export interface ErrorResponseBody {
  error: string;
  message: string;
  issues?: Array<{ field: string; message: string }>;
}

/**
 * Lists how `response` breaks the contract every HTTP handler response
 * keeps: an integrated response with a JSON content type, no 5xx, and for
 * every non-2xx a JSON `{error, message}` body whose 400 issues name event
 * fields. An empty list means the response keeps it.
 */
export function responseProblems(response: IntegratedResponse): string[] {
  const problems: string[] = [];
  const { statusCode, headers } = response;
  if (!Number.isInteger(statusCode))
    problems.push("statusCode is not an integer");
  if (!(statusCode >= 200 && statusCode < 500))
    problems.push(`statusCode ${statusCode} is outside 200-499`);
  if (response.isBase64Encoded !== false)
    problems.push("isBase64Encoded is not false");
  if (!/^application\/json/.test(headers?.["content-type"] ?? ""))
    problems.push("content-type is not application/json");
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    problems.push("body is not JSON");
    return problems;
  }
  if (statusCode < 300) return problems;

  const error = body as Partial<ErrorResponseBody> | null;
  if (typeof error?.error !== "string" || error.error === "")
    problems.push("error is not a non-empty string");
  if (typeof error?.message !== "string" || error.message === "")
    problems.push("message is not a non-empty string");
  if (statusCode === 400) {
    const issues = error?.issues;
    if (!Array.isArray(issues) || issues.length === 0)
      problems.push("a 400 has no issues");
    for (const issue of Array.isArray(issues) ? issues : []) {
      if (
        typeof issue?.field !== "string" ||
        !EVENT_FIELD_PATTERN.test(issue.field)
      )
        problems.push(
          `issue field ${JSON.stringify(issue?.field)} names no event field`,
        );
    }
  }
  return problems;
}

/**
 * Asserts that `response` keeps the contract of `responseProblems` and
 * returns its parsed body. The check runs thousands of times per test, so
 * it is plain code, and the failure lists every broken condition.
 */
export function expectWellFormedResponse(
  response: IntegratedResponse,
): unknown {
  expect(responseProblems(response)).toEqual([]);
  return JSON.parse(response.body) as unknown;
}

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { header, parseHttpEvent } from "../../src/scf/http-event";
import { parseQueueEvent, type QueueRecord } from "../../src/scf/queue-event";
import { parseTimerEvent } from "../../src/scf/timer-event";
import { SAMPLE_ORDER } from "../helpers/scf-events";

const EVENTS_DIR = join(__dirname, "..", "..", "events");

function loadEvent(name: string): unknown {
  return JSON.parse(readFileSync(join(EVENTS_DIR, name), "utf8"));
}

/** Parses a queue sample and returns its only record. */
function onlyRecord(name: string): QueueRecord {
  const results = parseQueueEvent(loadEvent(name));
  expect(results).toHaveLength(1);
  const [result] = results;
  if (!result?.ok) throw new Error(`${name} has an invalid record`);
  return result.record;
}

/** The parser for each sample file, chosen by the suffix of its name. */
const PARSERS: Array<[RegExp, (event: unknown) => unknown]> = [
  [/\.(apigw|function-url)\.json$/, parseHttpEvent],
  [/\.(cmq|ckafka)\.json$/, parseQueueEvent],
  [/\.timer\.json$/, parseTimerEvent],
];

describe("sample events", () => {
  const files = readdirSync(EVENTS_DIR).filter((name) =>
    name.endsWith(".json"),
  );

  it("include every expected file", () => {
    expect([...files].sort()).toEqual([
      "create-order.apigw.json",
      "create-order.function-url.json",
      "get-order.apigw.json",
      "get-order.function-url.json",
      "process-payment.ckafka.json",
      "process-payment.cmq.json",
      "process-shipping.cmq.json",
      "relay-outbox.timer.json",
    ]);
  });

  it.each(files.map((name) => [name]))("%s parses", (name) => {
    const parser = PARSERS.find(([pattern]) => pattern.test(name))?.[1];
    if (parser === undefined) throw new Error(`no parser for ${name}`);
    expect(() => parser(loadEvent(name))).not.toThrow();
  });

  it.each([["create-order.apigw.json"], ["create-order.function-url.json"]])(
    "%s carries a valid order",
    (name) => {
      const request = parseHttpEvent(loadEvent(name));
      expect(request.method).toBe("POST");
      expect(request.path).toBe("/orders");
      expect(JSON.parse(request.body)).toEqual(SAMPLE_ORDER);
      expect(header(request, "Idempotency-Key")).toBe("idem-sample-0001");
      expect(header(request, "Content-Type")).toBe("application/json");
    },
  );

  it("create-order.apigw.json has the API Gateway shape", () => {
    const request = parseHttpEvent(loadEvent("create-order.apigw.json"));
    expect(request.shape).toBe("apigw");
  });

  it("create-order.function-url.json has the Function URL shape", () => {
    const event = loadEvent("create-order.function-url.json");
    expect(parseHttpEvent(event).shape).toBe("function-url");
  });

  it("get-order.apigw.json has the id path parameter", () => {
    const request = parseHttpEvent(loadEvent("get-order.apigw.json"));
    expect(request.shape).toBe("apigw");
    expect(request.method).toBe("GET");
    expect(request.path).toBe("/orders/ord_sample");
    expect(request.pathParameters).toEqual({ id: "ord_sample" });
  });

  it("get-order.function-url.json reads the order path", () => {
    const request = parseHttpEvent(loadEvent("get-order.function-url.json"));
    expect(request.shape).toBe("function-url");
    expect(request.method).toBe("GET");
    expect(request.path).toBe("/orders/ord_sample");
  });

  it.each([
    ["process-payment.cmq.json", "cmq", "order-created", "order.created"],
    ["process-shipping.cmq.json", "cmq", "order-paid", "order.paid"],
    ["process-payment.ckafka.json", "ckafka", "order-created", "order.created"],
  ])("%s carries an envelope", (name, source, topic, type) => {
    const record = onlyRecord(name);
    expect(record.source).toBe(source);
    expect(record.topic).toBe(topic);
    expect(JSON.parse(record.body)).toEqual({
      version: 1,
      messageId: "msg_sample_1",
      type,
      orderId: "ord_sample",
      occurredAt: "2026-12-04T08:00:00.000Z",
      data: {},
    });
  });

  it("relay-outbox.timer.json names its trigger", () => {
    const timer = parseTimerEvent(loadEvent("relay-outbox.timer.json"));
    expect(timer.triggerName).toBe("relay-outbox");
  });
});

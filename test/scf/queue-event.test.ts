import { ValidationError } from "../../src/errors";
import {
  parseQueueEvent,
  type ParsedRecord,
  type QueueRecord,
} from "../../src/scf/queue-event";
import {
  ckafkaRecord,
  cmqRecord,
  queueEvent,
  sampleEnvelope,
} from "../helpers/scf-events";

/** Parses an event with one record and returns it, failing if invalid. */
function parseOne(record: unknown): QueueRecord {
  const [result] = parseQueueEvent(queueEvent(record));
  if (result === undefined) throw new Error("no result for the record");
  if (!result.ok) throw result.error;
  return result.record;
}

/** Returns the error of a rejected result, failing if it was accepted. */
function errorOf(result: ParsedRecord | undefined): ValidationError {
  if (result === undefined) throw new Error("no result for the record");
  if (result.ok) throw new Error("the record was accepted");
  return result.error;
}

/** Returns the issue fields of a rejected result. */
function fieldsOf(result: ParsedRecord | undefined): string[] {
  return errorOf(result).issues.map((issue) => issue.field);
}

function rejectedFields(record: unknown): string[] {
  return fieldsOf(parseQueueEvent(queueEvent(record))[0]);
}

describe("parseQueueEvent with CMQ topic records", () => {
  const documentedSample = {
    Records: [
      {
        CMQ: {
          type: "topic",
          topicOwner: 120000000,
          topicName: "testtopic",
          subscriptionName: "xxxxxx",
          publishTime: "1970-01-01T00:00:00.000Z",
          msgId: "123345346",
          requestId: "123345346",
          msgBody: "Hello from CMQ!",
          msgTag: "tag1,tag2",
        },
      },
    ],
  };

  it("accepts the documented sample", () => {
    const results = parseQueueEvent(documentedSample);
    expect(results).toEqual([
      {
        ok: true,
        record: {
          source: "cmq",
          index: 0,
          messageId: "123345346",
          topic: "testtopic",
          body: "Hello from CMQ!",
          tags: ["tag1", "tag2"],
          publishedAt: "1970-01-01T00:00:00.000Z",
          raw: documentedSample.Records[0],
        },
      },
    ]);
  });

  it("keeps the record as received in raw", () => {
    const record = cmqRecord();
    expect(parseOne(record).raw).toBe(record);
  });

  it("accepts a numeric topicOwner", () => {
    expect(parseOne(cmqRecord({ topicOwner: 1250000000 })).source).toBe("cmq");
  });

  it("accepts a numeric-string topicOwner", () => {
    expect(parseOne(cmqRecord({ topicOwner: "1250000000" })).source).toBe(
      "cmq",
    );
  });

  it("accepts a missing topicOwner", () => {
    expect(parseOne(cmqRecord({ topicOwner: undefined })).source).toBe("cmq");
  });

  it("splits a comma msgTag and trims tags", () => {
    const record = parseOne(cmqRecord({ msgTag: " tag1 , tag2,,  " }));
    expect(record.tags).toEqual(["tag1", "tag2"]);
  });

  it("accepts msgTag as an array", () => {
    const record = parseOne(cmqRecord({ msgTag: ["tag1", " tag2 ", ""] }));
    expect(record.tags).toEqual(["tag1", "tag2"]);
  });

  it("reads a missing msgTag as no tags", () => {
    expect(parseOne(cmqRecord({ msgTag: undefined })).tags).toEqual([]);
  });

  it("reads an empty msgTag as no tags", () => {
    expect(parseOne(cmqRecord({ msgTag: "" })).tags).toEqual([]);
  });

  it("reads a null msgTag as no tags", () => {
    expect(parseOne(cmqRecord({ msgTag: null })).tags).toEqual([]);
  });

  it("reads an empty msgTag array as no tags", () => {
    expect(parseOne(cmqRecord({ msgTag: [] })).tags).toEqual([]);
  });

  it("accepts a record without type", () => {
    expect(parseOne(cmqRecord({ type: undefined })).source).toBe("cmq");
  });

  it("leaves publishedAt undefined without publishTime", () => {
    const record = parseOne(cmqRecord({ publishTime: undefined }));
    expect(record.publishedAt).toBeUndefined();
  });

  it("tolerates unknown fields", () => {
    const record = parseOne(cmqRecord({ msgAttributes: { a: "b" } }));
    expect(record.body).toBe(sampleEnvelope());
  });
});

describe("parseQueueEvent with CKafka records", () => {
  const documentedSample = {
    Records: [
      {
        Ckafka: {
          topic: "test-topic",
          partition: 1,
          offset: 36,
          msgKey: "None",
          msgBody: "Hello from Ckafka!",
        },
      },
      {
        Ckafka: {
          topic: "test-topic",
          partition: 1,
          offset: 37,
          msgKey: "None",
          msgBody: "Hello from Ckafka again!",
        },
      },
    ],
  };

  it("accepts the documented sample", () => {
    const results = parseQueueEvent(documentedSample);
    expect(results).toEqual([
      {
        ok: true,
        record: {
          source: "ckafka",
          index: 0,
          messageId: "test-topic:1:36",
          topic: "test-topic",
          body: "Hello from Ckafka!",
          tags: [],
          raw: documentedSample.Records[0],
        },
      },
      {
        ok: true,
        record: {
          source: "ckafka",
          index: 1,
          messageId: "test-topic:1:37",
          topic: "test-topic",
          body: "Hello from Ckafka again!",
          tags: [],
          raw: documentedSample.Records[1],
        },
      },
    ]);
  });

  it("accepts an empty-string partition", () => {
    const record = parseOne(ckafkaRecord({ partition: "" }));
    expect(record.messageId).toBe("order-created::36");
  });

  it("accepts a numeric-string partition", () => {
    const record = parseOne(ckafkaRecord({ partition: "3" }));
    expect(record.messageId).toBe("order-created:3:36");
  });

  it("accepts a numeric-string offset", () => {
    const record = parseOne(ckafkaRecord({ offset: "9007199254740993" }));
    expect(record.messageId).toBe("order-created:1:9007199254740993");
  });

  it("accepts msgKey None", () => {
    expect(parseOne(ckafkaRecord({ msgKey: "None" })).source).toBe("ckafka");
  });

  it("accepts a missing msgKey", () => {
    expect(parseOne(ckafkaRecord({ msgKey: undefined })).source).toBe("ckafka");
  });

  it("has no publishedAt", () => {
    expect(parseOne(ckafkaRecord()).publishedAt).toBeUndefined();
  });
});

describe("parseQueueEvent batches", () => {
  it("parses the other records when one is malformed", () => {
    const results = parseQueueEvent(
      queueEvent(
        cmqRecord({ msgId: "m-0" }),
        cmqRecord({ msgId: "m-1", msgBody: 17 }),
        ckafkaRecord(),
      ),
    );
    expect(results).toHaveLength(3);
    expect(results[0]?.ok).toBe(true);
    expect(results[1]?.ok).toBe(false);
    expect(results[2]?.ok).toBe(true);
  });

  it("names the malformed record's field with its full path", () => {
    const results = parseQueueEvent(
      queueEvent(cmqRecord(), cmqRecord({ msgBody: 17 })),
    );
    expect(fieldsOf(results[1])).toEqual(["Records.1.CMQ.msgBody"]);
  });

  it("reports the index and raw record of a malformed record", () => {
    const bad = cmqRecord({ msgBody: 17 });
    const [, result] = parseQueueEvent(queueEvent(cmqRecord(), bad));
    expect(result).toMatchObject({ ok: false, index: 1, raw: bad });
  });

  it("gives each malformed record a ValidationError", () => {
    const [result] = parseQueueEvent(queueEvent(cmqRecord({ msgId: 1 })));
    expect(errorOf(result)).toBeInstanceOf(ValidationError);
  });

  it("names the field in the error message", () => {
    const [result] = parseQueueEvent(queueEvent(cmqRecord({ msgId: 1 })));
    expect(errorOf(result).message).toBe(
      "invalid queue record 0: Records.0.CMQ.msgId must be a string",
    );
  });

  it("mixes CMQ and CKafka records in order", () => {
    const results = parseQueueEvent(queueEvent(ckafkaRecord(), cmqRecord()));
    const sources = results.map((result) => result.ok && result.record.source);
    expect(sources).toEqual(["ckafka", "cmq"]);
  });

  it("returns no results for empty Records", () => {
    expect(parseQueueEvent({ Records: [] })).toEqual([]);
  });
});

describe("parseQueueEvent rejections", () => {
  it.each([
    ["a missing Records", {}],
    ["an object Records", { Records: {} }],
    ["a null event", null],
    ["a string event", "Records"],
  ])("throws naming Records for %s", (_name, event) => {
    expect(() => parseQueueEvent(event)).toThrow(ValidationError);
    expect(() => parseQueueEvent(event)).toThrow(/Records must be an array/);
  });

  it("lists Records as the issue field", () => {
    try {
      parseQueueEvent({});
      throw new Error("parseQueueEvent accepted the event");
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([
        { field: "Records", message: "must be an array" },
      ]);
    }
  });

  it.each([
    ["neither CMQ nor Ckafka", { COS: {} }, "Records.0"],
    ["both CMQ and Ckafka", { ...cmqRecord(), ...ckafkaRecord() }, "Records.0"],
    ["a string record", "message", "Records.0"],
    ["a null record", null, "Records.0"],
    ["a string CMQ", { CMQ: "body" }, "Records.0.CMQ"],
    ["a string Ckafka", { Ckafka: "body" }, "Records.0.Ckafka"],
  ])("rejects %s", (_name, record, field) => {
    expect(rejectedFields(record)).toEqual([field]);
  });

  it.each([
    ["type queue", { type: "queue" }, "type"],
    ["a missing msgBody", { msgBody: undefined }, "msgBody"],
    ["a missing msgId", { msgId: undefined }, "msgId"],
    ["a numeric msgId", { msgId: 123345346 }, "msgId"],
    ["a missing topicName", { topicName: undefined }, "topicName"],
    ["a non-numeric topicOwner", { topicOwner: "12a" }, "topicOwner"],
    ["a negative topicOwner", { topicOwner: -1 }, "topicOwner"],
    ["a numeric msgTag", { msgTag: 3 }, "msgTag"],
    ["an invalid publishTime", { publishTime: "soon" }, "publishTime"],
    ["a numeric subscriptionName", { subscriptionName: 1 }, "subscriptionName"],
  ])("rejects a CMQ record with %s", (_name, overrides, field) => {
    expect(rejectedFields(cmqRecord(overrides))).toEqual([
      `Records.0.CMQ.${field}`,
    ]);
  });

  it.each([
    ["a missing topic", { topic: undefined }, "topic"],
    ["a missing partition", { partition: undefined }, "partition"],
    ["a non-numeric partition", { partition: "one" }, "partition"],
    ["a fractional offset", { offset: 1.5 }, "offset"],
    ["a negative offset", { offset: -1 }, "offset"],
    ["a missing offset", { offset: undefined }, "offset"],
    ["a numeric msgKey", { msgKey: 7 }, "msgKey"],
    ["a missing msgBody", { msgBody: undefined }, "msgBody"],
  ])("rejects a CKafka record with %s", (_name, overrides, field) => {
    expect(rejectedFields(ckafkaRecord(overrides))).toEqual([
      `Records.0.Ckafka.${field}`,
    ]);
  });

  it("names the position of a later invalid record", () => {
    const results = parseQueueEvent(
      queueEvent(ckafkaRecord(), ckafkaRecord(), { other: true }),
    );
    expect(fieldsOf(results[2])).toEqual(["Records.2"]);
  });
});

import {
  buildCmqTopicEvent,
  type CmqDelivery,
} from "../../../emulator/events/build-cmq-event";
import { ValidationError } from "../../../src/errors";
import { parseQueueEvent } from "../../../src/scf/queue-event";
import { sampleEnvelope } from "../../helpers/scf-events";

function delivery(overrides: Partial<CmqDelivery> = {}): CmqDelivery {
  return {
    msgId: "8512300001",
    topicName: "order-created",
    subscriptionName: "process-payment",
    body: sampleEnvelope(),
    tags: ["order.created", "priority"],
    publishedAt: "2026-12-04T08:00:00.000Z",
    topicOwner: 1250000000,
    requestId: "req-cmq-1",
    ...overrides,
  };
}

describe("buildCmqTopicEvent", () => {
  it("builds the documented record fields", () => {
    const { Records } = buildCmqTopicEvent([delivery()]);
    expect(Records).toEqual([
      {
        CMQ: {
          type: "topic",
          topicOwner: 1250000000,
          topicName: "order-created",
          subscriptionName: "process-payment",
          publishTime: "2026-12-04T08:00:00.000Z",
          msgId: "8512300001",
          requestId: "req-cmq-1",
          msgBody: sampleEnvelope(),
          msgTag: "order.created,priority",
        },
      },
    ]);
  });

  it("round-trips through parseQueueEvent", () => {
    const [result] = parseQueueEvent(buildCmqTopicEvent([delivery()]));
    if (!result?.ok) throw new Error("the record was rejected");
    expect(result.record.source).toBe("cmq");
    expect(result.record.messageId).toBe("8512300001");
    expect(result.record.topic).toBe("order-created");
    expect(result.record.body).toBe(sampleEnvelope());
    expect(result.record.tags).toEqual(["order.created", "priority"]);
    expect(result.record.publishedAt).toBe("2026-12-04T08:00:00.000Z");
  });

  it("keeps deliveries in order", () => {
    const event = buildCmqTopicEvent([
      delivery({ msgId: "m-1" }),
      delivery({ msgId: "m-2" }),
    ]);
    const ids = parseQueueEvent(event).map(
      (result) => result.ok && result.record.messageId,
    );
    expect(ids).toEqual(["m-1", "m-2"]);
  });

  it("sends no tags as an empty msgTag", () => {
    const event = buildCmqTopicEvent([delivery({ tags: [] })]);
    expect(event.Records[0]?.CMQ.msgTag).toBe("");
    const [result] = parseQueueEvent(event);
    if (!result?.ok) throw new Error("the record was rejected");
    expect(result.record.tags).toEqual([]);
  });

  it("builds an empty Records for no deliveries", () => {
    expect(buildCmqTopicEvent([])).toEqual({ Records: [] });
  });

  it("rejects a tag with a comma naming the tag", () => {
    const deliveries = [delivery(), delivery({ tags: ["ok", "a,b"] })];
    expect(() => buildCmqTopicEvent(deliveries)).toThrow(ValidationError);
    try {
      buildCmqTopicEvent(deliveries);
    } catch (error) {
      const fields = (error as ValidationError).issues.map((i) => i.field);
      expect(fields).toEqual(["deliveries.1.tags.1"]);
    }
  });
});

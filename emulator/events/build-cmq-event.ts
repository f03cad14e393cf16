import { ValidationError, type FieldIssue } from "../../src/errors";

/** One message the emulator delivers to a CMQ topic subscriber. */
export interface CmqDelivery {
  msgId: string;
  topicName: string;
  subscriptionName: string;
  body: string;
  tags: string[];
  /** ISO 8601 publish time. */
  publishedAt: string;
  /** Account id (UIN) of the topic owner. */
  topicOwner: number;
  requestId: string;
}

/**
 * Builds a CMQ topic trigger event with one record per delivery, in order.
 * Tags are sent as a comma-separated `msgTag` string, as in the official
 * sample event. Throws a `ValidationError` when a tag contains a comma,
 * because the subscriber would split it into two tags.
 */
export function buildCmqTopicEvent(deliveries: CmqDelivery[]): {
  Records: Array<{ CMQ: Record<string, unknown> }>;
} {
  const issues: FieldIssue[] = [];
  deliveries.forEach((delivery, index) => {
    delivery.tags.forEach((tag, tagIndex) => {
      if (tag.includes(",")) {
        issues.push({
          field: `deliveries.${index}.tags.${tagIndex}`,
          message: `must not contain a comma, got "${tag}"`,
        });
      }
    });
  });
  if (issues.length > 0) {
    throw new ValidationError("CMQ tags must not contain commas", issues);
  }

  return {
    Records: deliveries.map((delivery) => ({
      CMQ: {
        type: "topic",
        topicOwner: delivery.topicOwner,
        topicName: delivery.topicName,
        subscriptionName: delivery.subscriptionName,
        publishTime: delivery.publishedAt,
        msgId: delivery.msgId,
        requestId: delivery.requestId,
        msgBody: delivery.body,
        msgTag: delivery.tags.join(","),
      },
    })),
  };
}

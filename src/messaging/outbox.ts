import type { Logger } from "../logging/logger";
import { messageOf } from "../errors";
import type { OrderStore, OutboxMessage } from "../storage/order-store";
import type { Envelope } from "./envelope";
import type { Publisher } from "./publisher";

/** Builds the outbox row that carries `envelope` to `topic`. */
export function outboxMessageOf(
  envelope: Envelope,
  topic: string,
): OutboxMessage {
  return {
    messageId: envelope.messageId,
    topic,
    tag: envelope.type,
    orderId: envelope.orderId,
    body: JSON.stringify(envelope),
    createdAt: envelope.occurredAt,
    attempts: 0,
  };
}

/** Counts of one outbox flush. */
export interface FlushResult {
  published: number;
  failed: number;
}

/**
 * Publishes outbox messages and marks each sent. A failed publish is
 * logged and counted, not thrown: the row stays unsent and `relay-outbox`
 * publishes it later, so the caller's committed work is never undone.
 */
export async function flushOutbox(
  messages: OutboxMessage[],
  store: OrderStore,
  publisher: Publisher,
  logger: Logger,
): Promise<FlushResult> {
  const sent: string[] = [];
  let failed = 0;

  for (const message of messages) {
    try {
      await publisher.publish({
        topic: message.topic,
        body: message.body,
        tags: [message.tag],
      });
      sent.push(message.messageId);
    } catch (error) {
      failed += 1;
      logger.warn(
        {
          err: error,
          messageId: message.messageId,
          orderId: message.orderId,
          topic: message.topic,
        },
        "publish failed; the outbox relay will retry it",
      );
      await store.markOutboxFailed(message.messageId, messageOf(error));
    }
  }

  if (sent.length > 0)
    await store.markOutboxSent(sent, new Date().toISOString());
  return { published: sent.length, failed };
}

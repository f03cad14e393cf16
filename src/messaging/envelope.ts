import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import "../zod-messages";
import { ValidationError } from "../errors";
import { parseOrThrow } from "../validation";

/** Message types the pipeline publishes, one topic each. */
export const MESSAGE_TYPES = ["order.created", "order.paid"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/**
 * Version 1 of the message envelope. Consumers accept unknown extra fields
 * so that a newer producer can add some without breaking them.
 */
export const envelopeSchema = z.object({
  version: z.literal(1),
  messageId: z.string().check(z.minLength(1), z.maxLength(128)),
  type: z.enum(MESSAGE_TYPES),
  orderId: z.string().check(z.minLength(1), z.maxLength(128)),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z._default(z.record(z.string(), z.unknown()), {}),
});

export type Envelope = z.infer<typeof envelopeSchema>;

/** Creates a new envelope with a fresh message id. */
export function createEnvelope(
  type: MessageType,
  orderId: string,
  data: Record<string, unknown> = {},
  now = new Date(),
): Envelope {
  return {
    version: 1,
    messageId: `msg_${randomUUID()}`,
    type,
    orderId,
    occurredAt: now.toISOString(),
    data,
  };
}

/**
 * Parses a queue message body into an envelope, or throws a
 * ValidationError naming the field (`msgBody` when it is not JSON).
 */
export function parseEnvelope(body: string, field = "msgBody"): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ValidationError(
      `invalid message envelope: ${field} is not valid JSON`,
      [{ field, message: "is not valid JSON" }],
    );
  }
  return parseOrThrow(envelopeSchema, json, "message envelope", field);
}

import * as z from "zod/mini";
import "../zod-messages";

import type { ValidationError } from "../errors";
import {
  invalidEventError,
  isPlainObject,
  toFieldIssues,
} from "./field-issues";
import {
  isoTime,
  isUnsignedInteger,
  numberOrString,
  optionalString,
  requiredString,
  unsignedInteger,
} from "./schema-fields";

/** One message of a CMQ topic or CKafka trigger event. */
export interface QueueRecord {
  source: "cmq" | "ckafka";
  /** Position of the record in the event's `Records`. */
  index: number;
  /** CMQ `msgId`, or `${topic}:${partition}:${offset}` for CKafka. */
  messageId: string;
  /** CMQ `topicName` or CKafka `topic`. */
  topic: string;
  /** `msgBody`, unparsed. */
  body: string;
  /** CMQ tags, trimmed and without empty ones; always empty for CKafka. */
  tags: string[];
  /** CMQ `publishTime`, an ISO 8601 time. */
  publishedAt?: string;
  /** The record as received. */
  raw: unknown;
}

/** The outcome for one record; an invalid record does not stop the rest. */
export type ParsedRecord =
  | { ok: true; record: QueueRecord }
  | { ok: false; index: number; error: ValidationError; raw: unknown };

const cmqSchema = z.looseObject(
  {
    // NOTE: only the topic subscription is documented for the SCF CMQ
    // trigger, so a CMQ record with another type, such as "queue", is
    // rejected.
    type: z.optional(z.literal("topic", { error: 'must be "topic"' })),
    topicOwner: z.optional(unsignedInteger()),
    topicName: requiredString(),
    subscriptionName: optionalString(),
    publishTime: z.optional(isoTime()),
    msgId: requiredString(),
    requestId: optionalString(),
    msgBody: requiredString(),
    // The official docs send tags as "tag1,tag2", but serverless.com's
    // docs show an array.
    msgTag: z.nullish(
      z.union([z.string(), z.array(z.string())], {
        error: "must be a string or an array of strings",
      }),
    ),
  },
  { error: "must be an object" },
);

const PARTITION_EXPECTED = 'a non-negative integer, a string of digits or ""';

const ckafkaSchema = z.looseObject(
  {
    topic: requiredString(),
    // The scfcli sample event sends partition as "".
    partition: numberOrString(PARTITION_EXPECTED).check(
      z.refine(
        (partition) => partition === "" || isUnsignedInteger(partition),
        { error: `must be ${PARTITION_EXPECTED}` },
      ),
    ),
    offset: unsignedInteger(),
    // The documented sample sends msgKey as the literal "None".
    msgKey: optionalString(),
    msgBody: requiredString(),
  },
  { error: "must be an object" },
);

/**
 * Parses a CMQ topic or CKafka trigger event into one result per record,
 * in order. Throws a `ValidationError` naming `Records` only when the event
 * has no `Records` array. An invalid record gives `ok: false` with issues
 * that name the full path, such as `Records.1.CMQ.msgBody`.
 */
export function parseQueueEvent(event: unknown): ParsedRecord[] {
  const records = isPlainObject(event) ? event.Records : undefined;
  if (!Array.isArray(records)) {
    throw invalidEventError("queue event", [
      { field: "Records", message: "must be an array" },
    ]);
  }
  return records.map((raw: unknown, index) => parseRecord(raw, index));
}

function parseRecord(raw: unknown, index: number): ParsedRecord {
  const path = `Records.${index}`;
  const subject = `queue record ${index}`;
  const fail = (error: ValidationError): ParsedRecord => ({
    ok: false,
    index,
    error,
    raw,
  });

  if (!isPlainObject(raw)) {
    const issue = { field: path, message: "must be an object" };
    return fail(invalidEventError(subject, [issue]));
  }

  const hasCmq = raw.CMQ !== undefined;
  const hasCkafka = raw.Ckafka !== undefined;
  if (hasCmq === hasCkafka) {
    const message = hasCmq
      ? "must contain only one of CMQ and Ckafka"
      : "must contain a CMQ or Ckafka message";
    return fail(invalidEventError(subject, [{ field: path, message }]));
  }

  if (hasCmq) {
    const parsed = cmqSchema.safeParse(raw.CMQ);
    if (!parsed.success) {
      const issues = toFieldIssues(parsed.error.issues, `${path}.CMQ`);
      return fail(invalidEventError(subject, issues));
    }
    return { ok: true, record: cmqRecord(parsed.data, index, raw) };
  }

  const parsed = ckafkaSchema.safeParse(raw.Ckafka);
  if (!parsed.success) {
    const issues = toFieldIssues(parsed.error.issues, `${path}.Ckafka`);
    return fail(invalidEventError(subject, issues));
  }
  return { ok: true, record: ckafkaRecord(parsed.data, index, raw) };
}

function cmqRecord(
  cmq: z.output<typeof cmqSchema>,
  index: number,
  raw: unknown,
): QueueRecord {
  const record: QueueRecord = {
    source: "cmq",
    index,
    messageId: cmq.msgId,
    topic: cmq.topicName,
    body: cmq.msgBody,
    tags: splitTags(cmq.msgTag),
    raw,
  };
  if (cmq.publishTime !== undefined) record.publishedAt = cmq.publishTime;
  return record;
}

function ckafkaRecord(
  ckafka: z.output<typeof ckafkaSchema>,
  index: number,
  raw: unknown,
): QueueRecord {
  const { topic, partition, offset } = ckafka;
  return {
    source: "ckafka",
    index,
    messageId: `${topic}:${partition}:${offset}`,
    topic,
    body: ckafka.msgBody,
    tags: [],
    raw,
  };
}

function splitTags(msgTag: string | string[] | null | undefined): string[] {
  if (msgTag === null || msgTag === undefined) return [];
  const tags = Array.isArray(msgTag) ? msgTag : msgTag.split(",");
  return tags.map((tag) => tag.trim()).filter((tag) => tag !== "");
}

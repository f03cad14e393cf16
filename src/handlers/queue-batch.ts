import { createHash } from "node:crypto";
import {
  isRetryable,
  messageOf,
  PermanentError,
  TransientError,
  ValidationError,
} from "../errors";
import type { Logger } from "../logging/logger";
import {
  type Envelope,
  type MessageType,
  parseEnvelope,
} from "../messaging/envelope";
import type { Instance } from "../runtime/instance";
import { requestIdOf } from "../scf/context";
import {
  type ParsedRecord,
  parseQueueEvent,
  type QueueRecord,
} from "../scf/queue-event";

/** Outcome of a consumer's work on one record. */
export type RecordOutcome = "processed" | "skipped";

export interface RecordWork {
  envelope: Envelope;
  record: QueueRecord;
  log: Logger;
  /** Epoch ms by which the invocation must finish its provider calls. */
  deadline: number;
}

/** Counts of one batch, returned as the invocation's result. */
export interface BatchResult {
  processed: number;
  skipped: number;
  deadLettered: number;
}

/** Time kept back from the function timeout for recording results, in ms. */
const DEADLINE_MARGIN_MS = 500;

function deadlineOf(context: unknown, startedAt: number): number {
  const limit = (context as { time_limit_in_ms?: unknown } | undefined)
    ?.time_limit_in_ms;
  const ms = typeof limit === "number" && limit > 0 ? limit : 3_000;
  return startedAt + Math.max(ms - DEADLINE_MARGIN_MS, ms / 2);
}

/**
 * Runs `handle` on every record of a CMQ or CKafka batch. A record that
 * cannot be parsed, or fails with a permanent error, is dead-lettered and
 * the batch goes on. An event without a `Records` array is dead-lettered
 * as one record. When any record failed with a retryable error, the
 * invocation throws after the batch, so SCF retries it. The state machine
 * then skips the records already done.
 */
export async function processBatch(
  event: unknown,
  context: unknown,
  instance: Instance,
  functionName: string,
  expectedType: MessageType,
  handle: (work: RecordWork) => Promise<RecordOutcome>,
): Promise<BatchResult> {
  const startedAt = Date.now();
  const log = instance.logger.child({ requestId: requestIdOf(context) });
  await instance.ready();

  const result: BatchResult = { processed: 0, skipped: 0, deadLettered: 0 };
  let parsed: ParsedRecord[];
  try {
    parsed = parseQueueEvent(event);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // Retrying cannot fix an event without a Records array, so it is
    // dead-lettered whole instead of failing the invocation.
    await deadLetter(
      instance,
      functionName,
      event,
      undefined,
      error.message,
      log,
    );
    result.deadLettered = 1;
    return result;
  }
  const retryable: string[] = [];

  for (const entry of parsed) {
    if (!entry.ok) {
      await deadLetter(
        instance,
        functionName,
        entry.raw,
        undefined,
        entry.error.message,
        log,
      );
      result.deadLettered += 1;
      continue;
    }

    const record = entry.record;
    const recordLog = log.child({ messageId: record.messageId });
    let envelope: Envelope | undefined;
    try {
      envelope = parseEnvelope(record.body, `Records.${record.index}.msgBody`);
      if (envelope.type !== expectedType) {
        throw new PermanentError(
          "unexpected_message_type",
          `message type ${envelope.type} does not belong to ${functionName}; expected ${expectedType}`,
        );
      }
      const work = {
        envelope,
        record,
        log: recordLog.child({ orderId: envelope.orderId }),
        deadline: deadlineOf(context, startedAt),
      };
      const outcome = await handle(work);
      result[outcome] += 1;
    } catch (error) {
      if (isRetryable(error)) {
        recordLog.warn(
          { err: error, orderId: envelope?.orderId },
          "record failed; the invocation will be retried",
        );
        retryable.push(messageOf(error));
        continue;
      }
      await deadLetter(
        instance,
        functionName,
        record.raw,
        envelope,
        messageOf(error),
        recordLog,
        record.messageId,
      );
      result.deadLettered += 1;
    }
  }

  if (retryable.length > 0) {
    throw new TransientError(
      `${retryable.length} of ${parsed.length} records failed: ${retryable[0]}`,
    );
  }
  log.info({ ...result }, "batch done");
  return result;
}

async function deadLetter(
  instance: Instance,
  functionName: string,
  raw: unknown,
  envelope: Envelope | undefined,
  reason: string,
  log: Logger,
  messageId?: string,
): Promise<void> {
  const payload = JSON.stringify(raw) ?? "null";
  // A stable id makes a redelivered poison record one dead letter, not two.
  const id = `${functionName}:${messageId ?? createHash("sha256").update(payload).digest("hex").slice(0, 32)}`;
  await instance.store.recordDeadLetter({
    id,
    source: functionName,
    messageId,
    orderId: envelope?.orderId,
    reason,
    payload,
    createdAt: new Date().toISOString(),
  });
  log.error(
    { deadLetterId: id, orderId: envelope?.orderId, reason },
    "record dead-lettered",
  );
}

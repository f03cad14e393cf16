import type { Dispatcher } from "./dispatch/dispatcher";
import type { DeadLetter, MessageStore } from "./messages/message-store";

/** One dead letter as `npm run dlq` shows it. */
export interface DeadLetterSummary {
  id: number;
  functionKey: string;
  topicName: string;
  msgId: string;
  attempts: number;
  error: string;
  failedAt: string;
}

export function summarize(letter: DeadLetter): DeadLetterSummary {
  return {
    id: letter.deliveryId,
    functionKey: letter.endpoint,
    topicName: letter.topicName,
    msgId: letter.msgId,
    attempts: letter.attempts,
    error: letter.error,
    failedAt: letter.failedAt,
  };
}

/**
 * Moves dead letters back to pending with their attempts reset. A running
 * emulator's dispatcher delivers them at once, and a stopped emulator
 * delivers them at its next start. Returns the redriven ids.
 */
export function redriveDeadLetters(
  store: MessageStore,
  ids: number[] | "all",
  dispatcher?: Dispatcher,
): number[] {
  const targets =
    ids === "all"
      ? store.listDeadLetters().map((letter) => letter.deliveryId)
      : ids;
  const deliveries = targets.map((id) => store.redrive(id));
  dispatcher?.enqueue(deliveries);
  return targets;
}

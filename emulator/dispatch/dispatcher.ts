import type { Logger } from "pino";
import { buildCmqTopicEvent } from "../events/build-cmq-event";
import type { Faults } from "../faults";
import type { Delivery, MessageStore } from "../messages/message-store";
import type { FunctionPool } from "../runtime/function-pool";
import type { InvocationResult } from "../runtime/invocation";
import {
  DEFAULT_BACKOFF,
  type RetryBackoff,
  retryDelayMs,
} from "./retry-policy";

export interface DispatcherOptions {
  store: MessageStore;
  pools: ReadonlyMap<string, FunctionPool>;
  /** Retries after a failed invocation, per function key. */
  retryNumOf: (functionKey: string) => number;
  backoff?: RetryBackoff;
  /** The account id placed in `topicOwner` of CMQ records. */
  topicOwner: number;
  logger: Logger;
  /** Duplicate or reorder deliveries on request; see `Faults`. */
  faults?: Pick<Faults, "duplicateDeliveries" | "reorderDeliveries">;
}

/** A delivery, or its extra copy under the duplicate-delivery fault. */
type QueuedDelivery = Delivery & { duplicate?: boolean };

/** A FIFO of deliveries with O(1) push and shift. */
class DeliveryQueue {
  private items: QueuedDelivery[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(delivery: QueuedDelivery): void {
    this.items.push(delivery);
  }

  /** Inserts at a random place among the waiting items. */
  insertAnywhere(
    delivery: QueuedDelivery,
    random: () => number = Math.random,
  ): void {
    const at = this.head + Math.floor(random() * (this.length + 1));
    this.items.splice(at, 0, delivery);
  }

  shift(): QueuedDelivery | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/**
 * Delivers CMQ topic messages to their functions the way SCF's CMQ topic
 * trigger does: asynchronous invocations, a failed one retried `retryNum`
 * times with backoff, then dead-lettered with its error and event. Work
 * arrives by `enqueue` right after a publish commits, so an idle pipeline
 * adds no polling delay; retries wait on timers.
 */
export class Dispatcher {
  private readonly queues = new Map<string, DeliveryQueue>();
  private readonly running = new Map<string, number>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly backoff: RetryBackoff;
  private closed = false;
  /** Extra copies delivered under the duplicate-delivery fault. */
  duplicatesDelivered = 0;
  /** Set by a forced close: results that arrive later are not recorded. */
  private aborted = false;

  constructor(private readonly options: DispatcherOptions) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /** Re-queues every undelivered message, after a restart or a crash. */
  resume(): number {
    const pending = this.options.store.pendingDeliveries();
    for (const delivery of pending) this.schedule(delivery);
    return pending.length;
  }

  /** Queues deliveries that a publish just stored. */
  enqueue(deliveries: readonly Delivery[]): void {
    for (const delivery of deliveries) {
      this.push(delivery);
      if (this.options.faults?.duplicateDeliveries)
        this.push({ ...delivery, duplicate: true });
    }
  }

  private schedule(delivery: Delivery): void {
    const wait = delivery.nextAttemptAt - Date.now();
    if (wait <= 0) {
      this.push(delivery);
      return;
    }
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.push(delivery);
    }, wait);
    this.retryTimers.add(timer);
  }

  private push(delivery: QueuedDelivery): void {
    if (this.closed) return;
    let queue = this.queues.get(delivery.endpoint);
    if (!queue) {
      queue = new DeliveryQueue();
      this.queues.set(delivery.endpoint, queue);
    }
    if (this.options.faults?.reorderDeliveries) queue.insertAnywhere(delivery);
    else queue.push(delivery);
    this.pump(delivery.endpoint);
  }

  private pump(functionKey: string): void {
    const pool = this.options.pools.get(functionKey);
    const queue = this.queues.get(functionKey);
    if (!queue) return;
    if (!pool) {
      this.options.logger.error(
        { functionKey },
        "CMQ subscription names a function that is not defined",
      );
      return;
    }

    while (
      !this.closed &&
      queue.length > 0 &&
      (this.running.get(functionKey) ?? 0) < pool.capacity
    ) {
      const delivery = queue.shift() as QueuedDelivery;
      this.running.set(functionKey, (this.running.get(functionKey) ?? 0) + 1);
      const work = this.deliver(pool, delivery).finally(() => {
        this.inFlight.delete(work);
        this.running.set(functionKey, (this.running.get(functionKey) ?? 1) - 1);
        this.pump(functionKey);
      });
      this.inFlight.add(work);
    }
  }

  private async deliver(
    pool: FunctionPool,
    delivery: QueuedDelivery,
  ): Promise<void> {
    const { logger } = this.options;
    const event = buildCmqTopicEvent([
      {
        msgId: delivery.msgId,
        topicName: delivery.topicName,
        subscriptionName: delivery.subscriptionName,
        body: delivery.message.body,
        tags: delivery.message.tags,
        publishedAt: delivery.message.publishedAt,
        topicOwner: this.options.topicOwner,
        requestId: delivery.msgId,
      },
    ]);

    const result = await pool.invoke(event);
    if (this.aborted) return;
    if (delivery.duplicate) {
      // The copy only exercises the consumer; the original records the outcome.
      this.duplicatesDelivered += 1;
      return;
    }
    try {
      this.record(delivery, result, event);
    } catch (error) {
      // Another process on the same data folder may have changed the row;
      // the message stays as that process left it.
      logger.error(
        { err: error, functionKey: delivery.endpoint, msgId: delivery.msgId },
        "could not record the invocation's outcome",
      );
    }
  }

  private record(
    delivery: QueuedDelivery,
    result: InvocationResult,
    event: unknown,
  ): void {
    const { store, logger } = this.options;
    if (result.ok) {
      store.markDone(delivery.id);
      return;
    }

    const attempts = delivery.attempts + 1;
    const error = `${result.error.errorType}: ${result.error.errorMessage}`;
    const log = {
      functionKey: delivery.endpoint,
      msgId: delivery.msgId,
      requestId: result.requestId,
      attempts,
      error,
    };
    if (attempts > this.options.retryNumOf(delivery.endpoint)) {
      store.markDead(delivery.id, attempts, error, event);
      logger.error(
        log,
        "invocation failed after its last retry; message dead-lettered",
      );
      return;
    }

    const nextAttemptAt = Date.now() + retryDelayMs(attempts, this.backoff);
    store.scheduleRetry(delivery.id, attempts, nextAttemptAt, error);
    logger.warn(
      { ...log, retryInMs: nextAttemptAt - Date.now() },
      "invocation failed; retrying",
    );
    if (!this.closed)
      this.schedule({ ...delivery, attempts, nextAttemptAt, lastError: error });
  }

  /** Deliveries queued or running, per function key. */
  backlog(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const [key, queue] of this.queues)
      result[key] = queue.length + (this.running.get(key) ?? 0);
    return result;
  }

  /** Stops dispatching; waits for running invocations unless `force`. */
  async close(force = false): Promise<void> {
    this.closed = true;
    this.aborted = force;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    if (!force) await Promise.allSettled([...this.inFlight]);
  }
}

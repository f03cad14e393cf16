import { flushOutbox, type FlushResult } from "../messaging/outbox";
import type { Instance } from "../runtime/instance";
import { requestIdOf } from "../scf/context";
import { parseTimerEvent } from "../scf/timer-event";
import { requeueStalledOrders } from "./requeue-stalled";

/**
 * Outbox rows younger than this are left to the function that wrote them,
 * which publishes right after its commit; 5 s is well above that publish.
 */
export const RELAY_MIN_AGE_MS = 5_000;

/** Rows the relay reads per query. */
const BATCH_SIZE = 100;

/** Time kept back from the function timeout, in ms. */
const TIME_MARGIN_MS = 1_000;

/**
 * Handles the relay timer: publishes outbox messages that stayed unsent,
 * oldest first, in batches until none is left or time runs short, then
 * requeues orders that stopped before a final status. A row
 * that fails again stays unsent for the next run.
 */
export function relayOutboxHandler(instance: Instance) {
  const { store, publisher, logger } = instance;

  return async function main_handler(
    event: unknown,
    context: unknown,
  ): Promise<FlushResult> {
    const startedAt = Date.now();
    const log = logger.child({ requestId: requestIdOf(context) });
    const timer = parseTimerEvent(event);
    await instance.ready();
    if (!publisher)
      throw new Error("relay-outbox needs the publisher configuration");

    const limit =
      (context as { time_limit_in_ms?: number } | undefined)
        ?.time_limit_in_ms ?? 3_000;
    const stopAt = startedAt + Math.max(limit - TIME_MARGIN_MS, limit / 2);
    const total: FlushResult = { published: 0, failed: 0 };
    const createdBefore = new Date(startedAt - RELAY_MIN_AGE_MS).toISOString();
    const tried = new Set<string>();

    while (Date.now() < stopAt) {
      const rows = (
        await store.unsentOutbox(BATCH_SIZE + tried.size, createdBefore)
      ).filter((row) => !tried.has(row.messageId));
      if (rows.length === 0) break;

      const batch = rows.slice(0, BATCH_SIZE);
      for (const row of batch) tried.add(row.messageId);
      const result = await flushOutbox(batch, store, publisher, log);
      total.published += result.published;
      total.failed += result.failed;
    }

    const requeued = await requeueStalledOrders(store, instance.config);
    if (requeued.length > 0) {
      log.warn(
        { orderIds: requeued.map((message) => message.orderId) },
        "requeued orders that stopped before a final status",
      );
      const result = await flushOutbox(requeued, store, publisher, log);
      total.published += result.published;
      total.failed += result.failed;
    }

    // An idle relay runs every few seconds; only work done is worth a line.
    const level = total.published + total.failed > 0 ? "info" : "debug";
    log[level]({ trigger: timer.triggerName, ...total }, "outbox relay done");
    return total;
  };
}

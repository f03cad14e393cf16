// End-to-end latency at low load: from the 202 of POST to the `shipped`
// history row, one order at a time.
import { parseBenchArgs } from "./lib/args";
import {
  type BenchEmulator,
  FINAL_STATUSES,
  startBenchEmulator,
} from "./lib/emulator-harness";
import { generateLoad } from "./lib/load-client";
import type { OrderTiming } from "./lib/load-spec";
import { log } from "./lib/log";
import { orderBody } from "./lib/order-body";
import type { E2eSection } from "./lib/result-types";
import { writeSection } from "./lib/results";
import { orderRoutes } from "./lib/routes";
import { round, summarize } from "./lib/stats";

const USAGE = `Usage: npx tsx bench/e2e-latency.ts [--quick]

Sends orders one at a time and measures the time from each 202 to the
order's shipped history row in the order store. Writes the e2e section of
docs/benchmarks.json and docs/benchmarks.md.
`;

const GAP_MS = 20;
const WAIT_FOR_SHIPPED_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface HistoryTimes {
  pending?: number;
  paid?: number;
  shipped?: number;
}

/** Waits until every order is final or the wait runs out, polling the store. */
async function waitUntilFinal(
  emulator: BenchEmulator,
  orderIds: string[],
): Promise<void> {
  const statusOf = emulator
    .orders()
    .prepare("SELECT status FROM orders WHERE order_id = ?");
  const deadline = Date.now() + WAIT_FOR_SHIPPED_MS;
  while (Date.now() < deadline) {
    const open = orderIds.filter((orderId) => {
      const row = statusOf.get(orderId) as { status: string } | undefined;
      return !row || !FINAL_STATUSES.includes(row.status);
    });
    if (open.length === 0) return;
    await sleep(10);
  }
}

function historyTimes(emulator: BenchEmulator, orderId: string): HistoryTimes {
  const rows = emulator
    .orders()
    .prepare("SELECT status, at FROM order_history WHERE order_id = ?")
    .all(orderId) as Array<{ status: string; at: string }>;
  const times: HistoryTimes = {};
  for (const row of rows) {
    if (
      row.status === "pending" ||
      row.status === "paid" ||
      row.status === "shipped"
    )
      times[row.status] = Date.parse(row.at);
  }
  return times;
}

async function main(): Promise<void> {
  const { quick } = parseBenchArgs(USAGE);
  const orders = quick ? 30 : 200;
  const emulator = await startBenchEmulator();
  try {
    const createPath = orderRoutes(emulator).createPath;
    const send = (total: number, label: string) =>
      generateLoad({
        label,
        baseUrl: emulator.httpUrl,
        method: "POST",
        path: createPath,
        body: orderBody(),
        idempotencyKeyPrefix: `e2e-${process.pid}-${label.replace(/\W+/g, "-")}`,
        concurrency: 1,
        total,
        gapMs: GAP_MS,
        timeoutMs: 10_000,
        collectOrderIds: true,
      });

    log("e2e", "warming up every function instance on the order path");
    const warm = await send(quick ? 20 : 100, "e2e warm-up");
    await waitUntilFinal(emulator, warm.orderIds ?? []);

    log("e2e", `${orders} orders, one at a time, ${GAP_MS} ms apart`);
    const run = await send(orders, "e2e");
    const timings = run.timings ?? [];
    await waitUntilFinal(
      emulator,
      timings.map((timing) => timing.orderId),
    );

    const fromResponse: number[] = [];
    const fromRequest: number[] = [];
    const toPaid: number[] = [];
    const toShipped: number[] = [];
    let timedOut = 0;
    for (const timing of timings as OrderTiming[]) {
      const times = historyTimes(emulator, timing.orderId);
      if (times.shipped === undefined) {
        timedOut += 1;
        continue;
      }
      fromResponse.push(times.shipped - timing.receivedAt);
      fromRequest.push(times.shipped - timing.sentAt);
      if (times.pending !== undefined && times.paid !== undefined)
        toPaid.push(times.paid - times.pending);
      if (times.paid !== undefined) toShipped.push(times.shipped - times.paid);
    }

    const latency = summarize(fromResponse);
    const section: E2eSection = {
      orders: timings.length,
      gapMs: GAP_MS,
      p50Ms: round(latency.p50Ms),
      p99Ms: round(latency.p99Ms),
      maxMs: round(latency.maxMs),
      fromRequestP50Ms: round(summarize(fromRequest).p50Ms),
      pendingToPaidP50Ms: round(summarize(toPaid).p50Ms),
      paidToShippedP50Ms: round(summarize(toShipped).p50Ms),
      timedOut,
    };
    await writeSection("e2e", section, quick);
    log(
      "e2e",
      `202 to shipped: p50 ${section.p50Ms} ms, p99 ${section.p99Ms} ms; ${timedOut} not shipped in time`,
    );
  } finally {
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`e2e benchmark failed: ${(error as Error).stack}\n`);
  process.exit(1);
});

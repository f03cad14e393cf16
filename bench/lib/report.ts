import { existsSync, readFileSync } from "node:fs";
import type {
  BenchResults,
  ColdStartEntry,
  IntakeSection,
  PeakSection,
  RunSummary,
} from "./result-types";

/** Line after which docs/benchmarks.md contains hand-written text that re-rendering keeps. */
export const NOTES_MARKER =
  "<!-- Written by hand below this line; the bench scripts keep it. -->";

const NA = "n/a";

function num(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value))
    return NA;
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return NA;
  return `${num(value, value < 10 ? 1 : 0)} ms`;
}

function kb(bytes: number): string {
  return `${num(bytes / 1024, 0)} KB`;
}

function verdict(met: boolean | undefined): string {
  if (met === undefined) return NA;
  return met ? "met" : "missed";
}

function check(
  value: number | null | undefined,
  test: (value: number) => boolean,
): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  return test(value);
}

function table(header: string[], rows: string[][]): string {
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
  return lines.join("\n");
}

function headline(results: BenchResults): string {
  const { intake, peak, e2e, queue, coldStart } = results;
  const rows: string[][] = [];
  if (intake) {
    const at = `c=${intake.headlineConcurrency}`;
    rows.push(
      [
        `Intake orders/s (${at})`,
        num(intake.ordersPerSecond),
        ">= 2,000",
        verdict(check(intake.ordersPerSecond, (v) => v >= 2000)),
      ],
      [
        `Intake p99 (${at})`,
        ms(intake.p99Ms),
        "< 50 ms",
        verdict(check(intake.p99Ms, (v) => v < 50)),
      ],
      [
        `Intake / bare baseline (${at})`,
        num(intake.ratioToBaseline, 2),
        ">= 0.35",
        verdict(check(intake.ratioToBaseline, (v) => v >= 0.35)),
      ],
    );
  }
  if (peak) {
    rows.push(
      [
        `Burst intake p99 (${num(peak.orders)} orders at ${num(peak.arrivalRatePerSecond)}/s)`,
        ms(peak.intakeP99Ms),
        "< 100 ms",
        verdict(check(peak.intakeP99Ms, (v) => v < 100)),
      ],
      [
        "Drain rate / payment rate limit",
        num(peak.drainFraction, 2),
        ">= 0.95",
        verdict(check(peak.drainFraction, (v) => v >= 0.95)),
      ],
      ["Lost orders", num(peak.lost), "0", verdict(peak.lost === 0)],
      [
        "Double charges",
        num(peak.doubleCharges),
        "0",
        verdict(peak.doubleCharges === 0),
      ],
      [
        "Synchronous p99 / queued intake p99",
        num(peak.syncP99Ratio, 1),
        ">= 20",
        verdict(check(peak.syncP99Ratio, (v) => v >= 20)),
      ],
    );
  }
  if (e2e) {
    rows.push([
      "202 to shipped, p50",
      ms(e2e.p50Ms),
      "< 30 ms",
      verdict(check(e2e.p50Ms, (v) => v < 30)),
    ]);
  }
  if (queue) {
    rows.push([
      "Queue messages/s (publish to no-op consumer)",
      num(queue.messagesPerSecond),
      "none",
      NA,
    ]);
  }
  if (coldStart && coldStart.length > 0) {
    const largest = Math.max(...coldStart.map((entry) => entry.bytes));
    const slowest = Math.max(
      ...coldStart.map((entry) => entry.medianMs ?? Infinity),
    );
    rows.push(
      [
        "Largest bundle",
        kb(largest),
        "<= 700 KB",
        verdict(largest <= 700 * 1024),
      ],
      [
        "Slowest cold start, median",
        ms(Number.isFinite(slowest) ? slowest : null),
        "<= 50 ms",
        verdict(check(slowest, (v) => v <= 50)),
      ],
    );
  }
  return table(["measure", "result", "target", "status"], rows);
}

function machine(results: BenchResults): string {
  const info = results.machine;
  if (!info) return "No machine information recorded.";
  const packages = Object.entries(info.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(", ");
  const lines = [
    `- CPU: ${info.cpuModel}, \`nproc\` ${info.nproc}; memory ${info.memoryGiB} GiB; ${info.platform}`,
    `- Node.js ${info.node}; ${packages}`,
    `- Load average when the results were written: ${info.loadAverage.join(", ")} (1, 5, 15 min). The machine is shared with other work, so every comparison runs interleaved in one script.`,
    `- Commit ${info.gitCommit ?? NA}${info.gitDirty ? " with uncommitted changes in the work tree" : ""}`,
  ];
  if (results.run) {
    lines.push(
      `- Full run: \`${results.run.command}\`, finished ${results.run.finishedAt}, wall time ${num(results.run.wallSeconds)} s`,
    );
  }
  for (const [section, command] of Object.entries(results.commands ?? {})) {
    const at = results.writtenAt?.[section] ?? NA;
    const load = results.loadAverages?.[section];
    const loadText = load
      ? `, 1-minute load average ${load[0]} at its start and ${load[1]} at its end`
      : "";
    lines.push(`- ${section}: \`${command}\`, written ${at}${loadText}`);
  }
  return lines.join("\n");
}

function runCells(summary: RunSummary): string[] {
  return [
    num(summary.ordersPerSecond),
    ms(summary.p50Ms),
    ms(summary.p99Ms),
    num(summary.errors),
  ];
}

function intakeSection(intake: IntakeSection, nproc: number): string {
  const rows = intake.levels.map((level) => [
    String(level.concurrency),
    ...runCells(level.emulator),
    ...runCells(level.baseline),
    num(level.ratio, 2),
  ]);
  const cpuRows = intake.levels.map((level) => [
    String(level.concurrency),
    num(level.emulator.cpuMsPerOrder, 2),
    num(level.emulator.mainThreadMsPerOrder, 2),
    num(level.baseline.cpuMsPerOrder, 2),
    num(level.emulator.generatorCpuMsPerOrder, 2),
    num(ceiling(level.emulator, nproc)),
    num(ceiling(level.baseline, nproc)),
  ]);
  const consumers = intake.withConsumers;
  return [
    `Closed-loop load from a separate process: each of c connections sends \`POST\` with a valid order and a new Idempotency-Key as soon as its previous request ends. Each round runs the emulator for ${intake.runSeconds} s, then the baseline for ${intake.runSeconds} s (alternating which goes first); the table gives medians over ${intake.rounds} rounds, and errors summed. Emulator: ${intake.maxInstances} instances per function, CMQ consumers paused (messages are still stored with their deliveries), because on one machine they would share the CPU with intake. Baseline: bench/lib/baseline-server.ts, a bare node:http server that runs JSON.parse and inserts the order, history and outbox rows in one SQLite transaction. In a closed loop, latency is about c divided by throughput (Little's law), so the p99 target can only hold at a low c.`,
    "",
    table(
      [
        "c",
        "emulator orders/s",
        "p50",
        "p99",
        "errors",
        "baseline orders/s",
        "p50",
        "p99",
        "errors",
        "ratio",
      ],
      rows,
    ),
    "",
    `CPU time per accepted order, medians over the rounds (from \`process.cpuUsage()\` and /proc/self/task). Both servers run in the bench process, one at a time. The ceiling is what ${nproc} cores could serve if the server and the load generator used nothing else: ${nproc} x 1000 ms / (server + generator CPU ms per order).`,
    "",
    table(
      [
        "c",
        "emulator CPU ms/order",
        "of which main thread",
        "baseline CPU ms/order",
        "load generator CPU ms/order",
        "emulator ceiling, orders/s",
        "baseline ceiling, orders/s",
      ],
      cpuRows,
    ),
    "",
    `With the CMQ consumers running (payment and shipping of every order on the same CPU), at c=${consumers.concurrency}: ${num(consumers.ordersPerSecond)} orders/s, p50 ${ms(consumers.p50Ms)}, p99 ${ms(consumers.p99Ms)}, ${num(consumers.errors)} errors.`,
  ].join("\n");
}

/** Orders/s that `nproc` cores could serve at the measured CPU cost per order. */
function ceiling(summary: RunSummary, nproc: number): number | null {
  if (summary.cpuMsPerOrder === null || summary.generatorCpuMsPerOrder === null)
    return null;
  return (
    (nproc * 1000) / (summary.cpuMsPerOrder + summary.generatorCpuMsPerOrder)
  );
}

function peakSection(peak: PeakSection): string {
  const sync = peak.sync;
  const syncErrors = Object.entries(sync.errorStatuses)
    .map(([status, count]) => `${num(count)} x ${status}`)
    .join(", ");
  const logs = Object.entries(peak.logCounts)
    .sort((a, b) => b[1] - a[1])
    .map(([message, count]) => [message, num(count)]);
  const timeline = peak.timeline.map(([seconds, depth, final]) => [
    num(seconds),
    num(depth),
    num(final),
  ]);
  return [
    `A burst of ${num(peak.orders)} orders arrives at ${num(peak.arrivalRatePerSecond)}/s while the payment sandbox allows ${num(peak.rateLimitPerSecond)} requests/s (\`POST /_control\` \`rateLimitPerSecond\`). The load is an open loop: each request is sent when due, whether or not earlier ones have ended, with at most ${num(peak.maxInFlight)} in flight, and its latency counts from the due time. The emulator runs ${peak.maxInstances} instances per function with its consumers; before the burst, a warm-up of a few hundred orders without a rate limit starts every instance, and its orders count only in the table of final statuses. Lost orders are those accepted (202) but not final when the run ended, plus those accepted but absent from the store. Double charges are orders with more than one charge in the payment ledger.`,
    "",
    `The same burst then goes to bench/lib/sync-baseline-server.ts, which charges the payment and books the carrier inside the request, against fresh sandboxes with the same limit. It uses the pipeline's provider clients and retries, with create-order's 5 s timeout as its deadline. That run stops sending after ${num(peak.syncTimeLimitSeconds)} s (${num(peak.sync.sent)} orders sent).`,
    "",
    table(
      ["measure", "queued (emulator)", "synchronous baseline"],
      [
        [
          "intake orders/s",
          num(peak.intakeOrdersPerSecond),
          num(sync.ordersPerSecond),
        ],
        ["p50", ms(peak.intakeP50Ms), ms(sync.p50Ms)],
        ["p99", ms(peak.intakeP99Ms), ms(sync.p99Ms)],
        [
          "errors",
          num(peak.intakeErrors),
          `${syncErrors || "0"}; ${num(sync.networkErrors)} network errors`,
        ],
        ["timeouts", "0", num(sync.timeouts)],
        [
          "burst duration",
          `${num(peak.burstSeconds, 1)} s`,
          `${num(sync.elapsedSeconds, 1)} s`,
        ],
      ],
    ),
    "",
    table(
      ["measure", "value"],
      [
        ["peak queue depth (pending deliveries)", num(peak.peakQueueDepth)],
        ["time until every order is final", `${num(peak.drainSeconds, 1)} s`],
        ["charges/s, first to last charge", num(peak.chargesPerSecond)],
        ["drain rate / rate limit", num(peak.drainFraction, 2)],
        ["lost orders", num(peak.lost)],
        ["accepted orders missing from the store", num(peak.missing)],
        ["double charges", num(peak.doubleCharges)],
        ["dead-lettered deliveries", num(peak.deadLetters)],
        ["payment sandbox requests (429s included)", num(peak.paymentRequests)],
        [
          "final statuses",
          Object.entries(peak.finalStatuses)
            .map(([status, count]) => `${status} ${num(count)}`)
            .join(", "),
        ],
      ],
    ),
    "",
    "Warnings and errors logged during the run:",
    "",
    logs.length > 0 ? table(["message", "count"], logs) : "none",
    "",
    "Queue depth over time (seconds since the burst started):",
    "",
    table(["s", "pending deliveries", "final orders"], timeline),
  ].join("\n");
}

function coldStartSection(entries: ColdStartEntry[]): string {
  const rows = entries.map((entry) => [
    entry.function,
    kb(entry.bytes),
    ms(entry.medianMs),
    ms(entry.requireMedianMs),
    ms(entry.invokeMedianMs),
    entry.rootImport ? kb(entry.rootImport.bytes) : NA,
    entry.rootImport ? ms(entry.rootImport.medianMs) : NA,
    entry.result,
  ]);
  return table(
    [
      "function",
      "bundle",
      "require + first invocation",
      "require",
      "first invocation",
      "root-import bundle",
      "root-import require + invocation",
      "first invocation result",
    ],
    rows,
  );
}

/** Renders docs/benchmarks.md from the results, keeping the hand-written notes. */
/** Renders the page; the hand-written part is kept from the page at `mdPath`. */
export function renderReport(results: BenchResults, mdPath: string): string {
  const parts = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run-all.ts) and the scenario scripts in bench/; each script replaces its own section of docs/benchmarks.json and re-renders this page. Every script takes `--quick` for a smoke run whose numbers are not comparable; it writes to bench/tmp/quick/ instead of this page.",
    "",
    "## Headline",
    "",
    headline(results),
    "",
    "## Machine and commands",
    "",
    machine(results),
  ];
  if (results.intake)
    parts.push(
      "",
      "## 1. Intake throughput",
      "",
      intakeSection(results.intake, results.machine?.nproc ?? 1),
    );
  if (results.peak)
    parts.push("", "## 2. Peak shaving", "", peakSection(results.peak));
  if (results.e2e) {
    const e2e = results.e2e;
    parts.push(
      "",
      "## 3. End-to-end latency at low load",
      "",
      `${num(e2e.orders)} orders, one at a time with ${num(e2e.gapMs)} ms between them; the time of \`shipped\` is the \`at\` of its history row, read from the order store (same clock).`,
      "",
      table(
        ["measure", "value"],
        [
          ["202 to shipped, p50", ms(e2e.p50Ms)],
          ["202 to shipped, p99", ms(e2e.p99Ms)],
          ["202 to shipped, max", ms(e2e.maxMs)],
          ["POST sent to shipped, p50", ms(e2e.fromRequestP50Ms)],
          ["pending to paid, p50", ms(e2e.pendingToPaidP50Ms)],
          ["paid to shipped, p50", ms(e2e.paidToShippedP50Ms)],
          ["orders not shipped within 10 s", num(e2e.timedOut)],
        ],
      ),
    );
  }
  if (results.queue) {
    const queue = results.queue;
    parts.push(
      "",
      "## 4. Queue throughput",
      "",
      `${queue.publishers} publishers in a separate process, each a tencentcloud-sdk-nodejs TDMQ client with ${queue.inFlightPerPublisher} \`PublishCmqMsg\` calls in flight, for ${queue.runSeconds} s, into a topic whose CMQ trigger invokes a no-op function (${queue.maxInstances} instances).`,
      "",
      table(
        ["measure", "value"],
        [
          [
            "delivered to the consumer, messages/s",
            num(queue.messagesPerSecond),
          ],
          ["PublishCmqMsg completed, calls/s", num(queue.publishesPerSecond)],
          [
            "published / delivered",
            `${num(queue.published)} / ${num(queue.delivered)}`,
          ],
          ["publish errors", num(queue.publishErrors)],
          [
            "PublishCmqMsg p50 / p99",
            `${ms(queue.publishP50Ms)} / ${ms(queue.publishP99Ms)}`,
          ],
          [
            "emulator CPU ms per message (main thread)",
            `${num(queue.emulatorCpuMsPerMessage, 2)} (${num(queue.emulatorMainThreadMsPerMessage, 2)})`,
          ],
          [
            "publisher CPU ms per PublishCmqMsg (SDK client)",
            num(queue.publisherCpuMsPerMessage, 2),
          ],
        ],
      ),
    );
  }
  if (results.coldStart) {
    parts.push(
      "",
      "## 5. Cold start",
      "",
      "Bundles from `npm run build`. Each number is the median over fresh `node` processes of the time to `require` the bundle plus the first `main_handler` call with its sample event from events/, measured inside the process (Node's own start-up excluded). The processes get the local cloud API and sandboxes, started by the bench, in their environment and a copy of a migrated SQLite order store that holds the sample events' order. The root-import variant is the same handler bundled with `tencentcloud-sdk-nodejs/tencentcloud/services/tdmq` rewritten to the package root.",
      "",
      coldStartSection(results.coldStart),
    );
  }

  const notes = existingNotes(mdPath);
  parts.push("", NOTES_MARKER, notes);
  return `${parts.join("\n")}\n`;
}

function existingNotes(mdPath: string): string {
  if (!existsSync(mdPath)) return "";
  const text = readFileSync(mdPath, "utf8");
  const at = text.indexOf(NOTES_MARKER);
  if (at === -1) return "";
  return text
    .slice(at + NOTES_MARKER.length)
    .replace(/^\n/, "")
    .trimEnd();
}

// Intake throughput: POST orders at several concurrency levels, against the
// emulator and a bare node:http + SQLite baseline, interleaved.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBenchArgs } from "./lib/args";
import { cpuSince, cpuTimes } from "./lib/cpu";
import { startBaselineServer } from "./lib/baseline-server";
import { MAX_INSTANCES, startBenchEmulator } from "./lib/emulator-harness";
import { generateLoad } from "./lib/load-client";
import type { LoadSpec } from "./lib/load-spec";
import { log } from "./lib/log";
import { orderBody } from "./lib/order-body";
import type { IntakeLevel, IntakeSection } from "./lib/result-types";
import { writeSection } from "./lib/results";
import { orderRoutes } from "./lib/routes";
import { median, round } from "./lib/stats";
import {
  describe,
  errorsOf,
  type MeasuredRun,
  summarizeRounds,
} from "./lib/summaries";

const USAGE = `Usage: npx tsx bench/intake.ts [--quick]

Loads POST /orders for a fixed time at several concurrency levels, on the
emulator and on a bare node:http + SQLite baseline, interleaved, and writes
the intake section of docs/benchmarks.json and docs/benchmarks.md.
`;

const HEADLINE_CONCURRENCY = 64;
const REQUEST_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const { quick } = parseBenchArgs(USAGE);
  const levels = quick ? [16, HEADLINE_CONCURRENCY] : [16, 64, 256];
  const runMs = quick ? 2_000 : 5_000;
  const rounds = quick ? 1 : 3;
  const body = orderBody();

  const emulator = await startBenchEmulator({ maxInstances: MAX_INSTANCES });
  const baselineDir = mkdtempSync(join(tmpdir(), "bench-baseline-"));
  const baseline = await startBaselineServer(join(baselineDir, "orders.db"));
  const createPath = orderRoutes(emulator).createPath;
  let runNumber = 0;

  const load = async (
    target: "emulator" | "baseline",
    concurrency: number,
    durationMs: number,
  ): Promise<MeasuredRun> => {
    runNumber += 1;
    const spec: LoadSpec = {
      label: `intake ${target} c=${concurrency}`,
      baseUrl: target === "emulator" ? emulator.httpUrl : baseline.url,
      method: "POST",
      path: target === "emulator" ? createPath : "/orders",
      body,
      idempotencyKeyPrefix: `intake-${process.pid}-${runNumber}`,
      concurrency,
      durationMs,
      timeoutMs: REQUEST_TIMEOUT_MS,
    };
    // Both servers run in this process, and only one is loaded at a time.
    const before = cpuTimes();
    const result = await generateLoad(spec);
    return { load: result, serverCpu: cpuSince(before) };
  };

  try {
    log("intake", "warming up the emulator with its consumers running");
    await load("emulator", HEADLINE_CONCURRENCY, quick ? 1_000 : 2_000);
    const withConsumers = (await load("emulator", HEADLINE_CONCURRENCY, runMs))
      .load;
    log("intake", `with consumers: ${describe(withConsumers)}`);

    // From here on the dispatcher stops invoking consumers; publishes still
    // store each message and its deliveries, so the intake path is unchanged.
    await emulator.dispatcher.close();
    log("intake", "consumers paused; warming up both servers");
    await load("emulator", HEADLINE_CONCURRENCY, quick ? 1_000 : 2_000);
    await load("baseline", HEADLINE_CONCURRENCY, quick ? 1_000 : 2_000);

    const results: IntakeLevel[] = [];
    for (const concurrency of levels) {
      const emulatorRuns: MeasuredRun[] = [];
      const baselineRuns: MeasuredRun[] = [];
      for (let round = 0; round < rounds; round += 1) {
        // Alternate which system goes first so that drift in the machine's
        // load does not always favour the same one.
        const order: Array<"emulator" | "baseline"> =
          round % 2 === 0 ? ["emulator", "baseline"] : ["baseline", "emulator"];
        for (const target of order) {
          const result = await load(target, concurrency, runMs);
          const cpuPerOrder =
            result.serverCpu.totalMs / Math.max(1, result.load.ok);
          log(
            "intake",
            `${target} c=${concurrency}: ${describe(result.load)}, ${cpuPerOrder.toFixed(2)} CPU ms/order`,
          );
          (target === "emulator" ? emulatorRuns : baselineRuns).push(result);
        }
      }
      const ratios = emulatorRuns.map(
        (run, index) =>
          run.load.okPerSecond /
          (baselineRuns[index]?.load.okPerSecond ?? Number.NaN),
      );
      results.push({
        concurrency,
        emulator: summarizeRounds(emulatorRuns),
        baseline: summarizeRounds(baselineRuns),
        ratio: round(median(ratios), 2),
      });
    }

    const headline =
      results.find((level) => level.concurrency === HEADLINE_CONCURRENCY) ??
      (results[0] as IntakeLevel);
    const section: IntakeSection = {
      ordersPerSecond: headline.emulator.ordersPerSecond,
      p99Ms: headline.emulator.p99Ms,
      ratioToBaseline: headline.ratio,
      headlineConcurrency: headline.concurrency,
      runSeconds: runMs / 1000,
      rounds,
      maxInstances: MAX_INSTANCES,
      levels: results,
      withConsumers: {
        concurrency: HEADLINE_CONCURRENCY,
        ordersPerSecond: round(withConsumers.okPerSecond, 0),
        p50Ms: round(withConsumers.latency.p50Ms),
        p99Ms: round(withConsumers.latency.p99Ms),
        errors: errorsOf(withConsumers),
      },
    };
    const counts = emulator.store.counts();
    log(
      "intake",
      `message store: ${counts.messages} messages, ${counts.pending} deliveries pending`,
    );
    await writeSection("intake", section, quick);
    log(
      "intake",
      `headline c=${section.headlineConcurrency}: ${section.ordersPerSecond} orders/s, p99 ${section.p99Ms} ms, ratio ${section.ratioToBaseline}`,
    );
  } finally {
    await baseline.close();
    await emulator.stop();
    rmSync(baselineDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`intake benchmark failed: ${(error as Error).stack}\n`);
  process.exit(1);
});

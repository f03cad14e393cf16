import type { CpuTimes } from "./cpu";
import type { LoadResult } from "./load-spec";
import type { RunSummary } from "./result-types";
import { median, round } from "./stats";

/** Requests that did not get a 2xx response. */
export function errorsOf(result: LoadResult): number {
  return result.completed - result.ok;
}

/** One load run with the CPU time the server's process used during it. */
export interface MeasuredRun {
  load: LoadResult;
  serverCpu: CpuTimes;
}

/** Medians over rounds of one system; errors are summed. */
export function summarizeRounds(runs: MeasuredRun[]): RunSummary {
  const results = runs.map((run) => run.load);
  const perOrder = (value: (run: MeasuredRun) => number) =>
    round(median(runs.map((run) => value(run) / Math.max(1, run.load.ok))), 2);
  const rounds = results.map((result) => ({
    ordersPerSecond: round(result.okPerSecond, 0),
    p50Ms: round(result.latency.p50Ms),
    p99Ms: round(result.latency.p99Ms),
  }));
  return {
    ordersPerSecond: round(median(results.map((r) => r.okPerSecond)), 0),
    p50Ms: round(median(results.map((r) => r.latency.p50Ms))),
    p99Ms: round(median(results.map((r) => r.latency.p99Ms))),
    errors: results.reduce((sum, result) => sum + errorsOf(result), 0),
    cpuMsPerOrder: perOrder((run) => run.serverCpu.totalMs),
    mainThreadMsPerOrder: perOrder((run) => run.serverCpu.mainThreadMs),
    generatorCpuMsPerOrder: perOrder((run) => run.load.cpuMs),
    rounds,
  };
}

/** Formats a load result as one progress line. */
export function describe(result: LoadResult): string {
  return `${result.okPerSecond.toFixed(0)} ok/s, p50 ${result.latency.p50Ms.toFixed(1)} ms, p99 ${result.latency.p99Ms.toFixed(1)} ms, ${errorsOf(result)} errors`;
}

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname } from "node:path";
import * as prettier from "prettier";
import { machineInfo } from "./machine";
import { RESULTS_JSON, RESULTS_MD } from "./paths";
import { renderReport } from "./report";
import type { BenchResults } from "./result-types";

type Section = "intake" | "peak" | "e2e" | "queue" | "coldStart";

/** The 1-minute load average when this process started. */
const loadAtStart = loadavg()[0] as number;

export function readResults(): BenchResults {
  if (!existsSync(RESULTS_JSON)) return {};
  return JSON.parse(readFileSync(RESULTS_JSON, "utf8")) as BenchResults;
}

/** Writes `text` to `file` formatted by Prettier, so `npm run format:check` passes. */
async function writeFormatted(file: string, text: string): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(
    file,
    await prettier.format(text, { ...options, filepath: file }),
  );
}

async function write(results: BenchResults): Promise<void> {
  mkdirSync(dirname(RESULTS_JSON), { recursive: true });
  await writeFormatted(RESULTS_JSON, JSON.stringify(results, null, 2));
  await writeFormatted(RESULTS_MD, renderReport(results));
}

/**
 * Replaces one scenario's section of docs/benchmarks.json, with the
 * machine description and the command, and rewrites docs/benchmarks.md.
 */
export async function writeSection<K extends Section>(
  section: K,
  data: NonNullable<BenchResults[K]>,
  quick: boolean,
): Promise<void> {
  const results = readResults();
  results[section] = data;
  results.machine = machineInfo();
  results.writtenAt = {
    ...results.writtenAt,
    [section]: new Date().toISOString(),
  };
  results.commands = {
    ...results.commands,
    [section]: commandLine(quick),
  };
  results.loadAverages = {
    ...results.loadAverages,
    [section]: [round2(loadAtStart), round2(loadavg()[0] as number)],
  };
  await write(results);
}

/** Records a whole `npm run bench` run and rewrites docs/benchmarks.md. */
export async function writeRun(
  run: NonNullable<BenchResults["run"]>,
): Promise<void> {
  const results = readResults();
  results.run = run;
  results.machine = machineInfo();
  await write(results);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function commandLine(quick: boolean): string {
  const script = process.argv[1]?.replace(/^.*\/bench\//, "bench/") ?? "";
  return `npx tsx ${script}${quick ? " --quick" : ""}`;
}

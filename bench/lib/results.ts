import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname } from "node:path";
import * as prettier from "prettier";
import { machineInfo } from "./machine";
import { resultFiles } from "./paths";
import { renderReport } from "./report";
import type { BenchResults } from "./result-types";

type Section = "intake" | "peak" | "e2e" | "queue" | "coldStart";

/** The 1-minute load average when this process started. */
const loadAtStart = loadavg()[0] as number;

export function readResults(quick = false): BenchResults {
  const { json } = resultFiles(quick);
  if (!existsSync(json)) return {};
  return JSON.parse(readFileSync(json, "utf8")) as BenchResults;
}

/** Writes `text` to `file` formatted by Prettier, so `npm run format:check` passes. */
async function writeFormatted(file: string, text: string): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(
    file,
    await prettier.format(text, { ...options, filepath: file }),
  );
}

/**
 * Writes the results and their page. A --quick run writes to bench/tmp/quick/
 * so that its smaller, incomparable numbers never replace docs/ by accident.
 */
async function write(results: BenchResults, quick: boolean): Promise<void> {
  const { json, md } = resultFiles(quick);
  mkdirSync(dirname(json), { recursive: true });
  await writeFormatted(json, JSON.stringify(results, null, 2));
  await writeFormatted(md, renderReport(results, md));
  if (quick) process.stderr.write(`quick run: results written to ${md}\n`);
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
  const results = readResults(quick);
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
  await write(results, quick);
}

/** Records a whole `npm run bench` run and rewrites docs/benchmarks.md. */
export async function writeRun(
  run: NonNullable<BenchResults["run"]>,
  quick: boolean,
): Promise<void> {
  const results = readResults(quick);
  results.run = run;
  results.machine = machineInfo();
  await write(results, quick);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function commandLine(quick: boolean): string {
  const script = process.argv[1]?.replace(/^.*\/bench\//, "bench/") ?? "";
  return `npx tsx ${script}${quick ? " --quick" : ""}`;
}

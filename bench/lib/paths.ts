import { join, resolve } from "node:path";

/** The project root. */
export const ROOT = resolve(__dirname, "../..");
export const RESULTS_JSON = join(ROOT, "docs", "benchmarks.json");
export const RESULTS_MD = join(ROOT, "docs", "benchmarks.md");

/**
 * Returns the files a run writes: docs/ for a full run, bench/tmp/quick/
 * (ignored by git) for --quick.
 */
export function resultFiles(quick: boolean): { json: string; md: string } {
  if (!quick) return { json: RESULTS_JSON, md: RESULTS_MD };
  const dir = join(ROOT, "bench", "tmp", "quick");
  return {
    json: join(dir, "benchmarks.json"),
    md: join(dir, "benchmarks.md"),
  };
}

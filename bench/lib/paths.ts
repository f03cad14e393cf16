import { join, resolve } from "node:path";

/** The project root. */
export const ROOT = resolve(__dirname, "../..");
export const RESULTS_JSON = join(ROOT, "docs", "benchmarks.json");
export const RESULTS_MD = join(ROOT, "docs", "benchmarks.md");

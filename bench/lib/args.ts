import { parseArgs } from "node:util";

export interface BenchArgs {
  /** A short smoke run with smaller loads; its numbers are not comparable. */
  quick: boolean;
}

/** Parses `--quick` and `--help`; prints `usage` and exits on `--help`. */
export function parseBenchArgs(usage: string): BenchArgs {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return { quick: values.quick === true };
}

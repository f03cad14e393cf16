import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { ROOT } from "./emulator";

export interface ConfigChanges {
  /** The relay timer's cron expression, e.g. every second. */
  relayCron?: string;
  /** Function timeouts in seconds, by function key. */
  timeouts?: Record<string, number>;
}

/**
 * Writes a copy of the project's serverless.yml into `dir` with test
 * changes applied, and returns its path.
 */
export function writeTestConfig(dir: string, changes: ConfigChanges): string {
  const document = parseDocument(
    readFileSync(join(ROOT, "serverless.yml"), "utf8"),
  );
  const triggers = document.getIn(["inputs", "triggers"]) as {
    items: unknown[];
  };
  triggers.items.forEach((_, index) => {
    if (
      document.getIn(["inputs", "triggers", index, "type"]) === "timer" &&
      changes.relayCron
    ) {
      document.setIn(
        ["inputs", "triggers", index, "parameters", "cronExpression"],
        changes.relayCron,
      );
    }
  });
  for (const [key, seconds] of Object.entries(changes.timeouts ?? {})) {
    document.setIn(["inputs", "functions", key, "timeout"], seconds);
  }
  const file = join(dir, "serverless.yml");
  writeFileSync(file, document.toString());
  return file;
}

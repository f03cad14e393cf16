// `npm run bench`: runs every scenario script in its own process, one after
// another, and records the wall time of the whole run.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseBenchArgs } from "./lib/args";
import { log } from "./lib/log";
import { writeRun } from "./lib/results";

const USAGE = `Usage: npm run bench [-- --quick]

Runs the benchmark scenarios one after another, each in its own process:
cold start, end-to-end latency, queue throughput, intake throughput and
peak shaving. Each writes its section of docs/benchmarks.json and
docs/benchmarks.md. --quick runs every scenario with smaller loads and
writes to bench/tmp/quick/ instead.
`;

/** Scenario scripts in run order: the short ones first, so a failure shows early. */
const SCENARIOS = [
  "cold-start.ts",
  "e2e-latency.ts",
  "queue-throughput.ts",
  "intake.ts",
  "peak.ts",
];

function runScenario(script: string, quick: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(__dirname, script),
        ...(quick ? ["--quick"] : []),
      ],
      { stdio: "inherit" },
    );
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  const { quick } = parseBenchArgs(USAGE);
  const started = Date.now();
  const failed: string[] = [];
  for (const script of SCENARIOS) {
    log("bench", `running ${script}${quick ? " --quick" : ""}`);
    const scenarioStarted = Date.now();
    const code = await runScenario(script, quick);
    const seconds = ((Date.now() - scenarioStarted) / 1000).toFixed(0);
    if (code !== 0) failed.push(script);
    log(
      "bench",
      `${script} ${code === 0 ? "done" : `failed with exit code ${code}`} in ${seconds} s`,
    );
  }
  const wallSeconds = Math.round((Date.now() - started) / 1000);
  await writeRun(
    {
      command: `npm run bench${quick ? " -- --quick" : ""}`,
      wallSeconds,
      finishedAt: new Date().toISOString(),
    },
    quick,
  );
  log("bench", `all scenarios finished in ${wallSeconds} s`);
  if (failed.length > 0) {
    process.stderr.write(`failed scenarios: ${failed.join(", ")}\n`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});

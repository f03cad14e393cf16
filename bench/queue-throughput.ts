// Queue throughput: PublishCmqMsg from several SDK clients in another
// process, through the emulator's message store, into a no-op function.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBenchArgs } from "./lib/args";
import { cpuSince, cpuTimes } from "./lib/cpu";
import { MAX_INSTANCES, startBenchEmulator } from "./lib/emulator-harness";
import { runWorkerProcess } from "./lib/load-client";
import { log } from "./lib/log";
import type { PublishResult, PublishSpec } from "./lib/publish-worker";
import type { QueueSection } from "./lib/result-types";
import { writeSection } from "./lib/results";
import { round } from "./lib/stats";

const USAGE = `Usage: npx tsx bench/queue-throughput.ts [--quick]

Publishes CMQ messages with tencentcloud-sdk-nodejs from several clients
in a separate process to the emulator's cloud API, delivered to a no-op
function by a CMQ topic trigger, and measures messages per second. Writes
the queue section of docs/benchmarks.json and docs/benchmarks.md.
`;

const TOPIC = "bench-messages";
const PUBLISHERS = 4;
const IN_FLIGHT_PER_PUBLISHER = 8;
const DRAIN_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SERVERLESS_YML = `# No-op consumer for bench/queue-throughput.ts.
app: bench-queue
stage: local
component: multi-scf
name: bench-queue
inputs:
  src:
    src: ./code
  region: ap-guangzhou
  runtime: Nodejs18.15
  memorySize: 128
  timeout: 10
  functions:
    noop:
      handler: noop/index.main_handler
  triggers:
    - type: cmq
      function: noop
      parameters:
        name: ${TOPIC}
        enable: true
`;

const NOOP_HANDLER = `"use strict";
exports.main_handler = async (event) => ({ records: event.Records.length });
`;

/** Writes the no-op function's serverless.yml and code into `dir`. */
function writeNoopProject(dir: string): string {
  mkdirSync(join(dir, "code", "noop"), { recursive: true });
  writeFileSync(join(dir, "code", "noop", "index.js"), NOOP_HANDLER);
  const file = join(dir, "serverless.yml");
  writeFileSync(file, SERVERLESS_YML);
  return file;
}

async function main(): Promise<void> {
  const { quick } = parseBenchArgs(USAGE);
  const durationMs = quick ? 3_000 : 10_000;
  const projectDir = mkdtempSync(join(tmpdir(), "bench-queue-"));
  // The temporary folder is also the project root, so the emulator reads
  // nothing of this project's own configuration.
  const emulator = await startBenchEmulator({
    root: projectDir,
    configFile: writeNoopProject(projectDir),
    dist: true,
    maxInstances: MAX_INSTANCES,
  });
  try {
    const endpoint = new URL(emulator.services.cloudApiUrl).host;
    const publish = (ms: number, label: string) =>
      runWorkerProcess<PublishResult>("publish-worker.ts", label, {
        endpoint,
        secretId: emulator.services.credentials.secretId,
        secretKey: emulator.services.credentials.secretKey,
        topicName: TOPIC,
        publishers: PUBLISHERS,
        inFlightPerPublisher: IN_FLIGHT_PER_PUBLISHER,
        durationMs: ms,
      } satisfies PublishSpec);

    log("queue", "warming up");
    const warm = await publish(quick ? 1_000 : 2_000, "queue warm-up");
    await waitForDeliveries(emulator.store, warm.published);
    const before = emulator.store.counts().done;

    log(
      "queue",
      `${PUBLISHERS} publishers x ${IN_FLIGHT_PER_PUBLISHER} calls in flight for ${durationMs / 1000} s`,
    );
    const cpuBefore = cpuTimes();
    const run = await publish(durationMs, "queue");
    const doneAt = await waitForDeliveries(
      emulator.store,
      before + run.published,
    );
    const delivered = emulator.store.counts().done - before;
    const emulatorCpu = cpuSince(cpuBefore);
    const spanSeconds = (doneAt - run.startedAt) / 1000;

    const section: QueueSection = {
      messagesPerSecond: round(delivered / spanSeconds, 0),
      publishesPerSecond: round(run.published / (run.elapsedMs / 1000), 0),
      publishers: PUBLISHERS,
      inFlightPerPublisher: IN_FLIGHT_PER_PUBLISHER,
      maxInstances: MAX_INSTANCES,
      published: run.published,
      delivered,
      publishErrors: run.errors,
      publishP50Ms: round(run.latency.p50Ms),
      publishP99Ms: round(run.latency.p99Ms),
      emulatorCpuMsPerMessage: round(
        emulatorCpu.totalMs / Math.max(1, delivered),
        3,
      ),
      emulatorMainThreadMsPerMessage: round(
        emulatorCpu.mainThreadMs / Math.max(1, delivered),
        3,
      ),
      publisherCpuMsPerMessage: round(
        run.cpuMs / Math.max(1, run.published),
        3,
      ),
      runSeconds: durationMs / 1000,
    };
    if (run.firstError) log("queue", `first publish error: ${run.firstError}`);
    await writeSection("queue", section, quick);
    log(
      "queue",
      `${section.messagesPerSecond} messages/s delivered, ${section.publishesPerSecond} publishes/s`,
    );
  } finally {
    await emulator.stop();
    rmSync(projectDir, { recursive: true, force: true });
  }
}

/** Waits until `expected` deliveries are done; returns the epoch ms when they were. */
async function waitForDeliveries(
  store: { counts(): { done: number; dead: number } },
  expected: number,
): Promise<number> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const counts = store.counts();
    if (counts.done + counts.dead >= expected || Date.now() > deadline)
      return Date.now();
    await sleep(20);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`queue benchmark failed: ${(error as Error).stack}\n`);
  process.exit(1);
});

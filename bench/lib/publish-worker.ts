// Publisher process: receives one PublishSpec over IPC, runs several
// CmqPublisher clients (the functions' tencentcloud-sdk-nodejs TDMQ client)
// with calls in flight against the emulator's cloud API, and returns a
// PublishResult.
import { CmqPublisher } from "../../src/messaging/cmq-publisher";
import type { WorkerMessage } from "./load-spec";
import { NumberList, summarize, type LatencySummary } from "./stats";

export interface PublishSpec {
  /** The cloud API's `host:port`. */
  endpoint: string;
  secretId: string;
  secretKey: string;
  topicName: string;
  /** Separate SDK clients, each with its own keep-alive connections. */
  publishers: number;
  /** PublishCmqMsg calls each client keeps in flight. */
  inFlightPerPublisher: number;
  durationMs: number;
}

export interface PublishResult {
  published: number;
  errors: number;
  firstError?: string;
  /** Epoch ms of the first call. */
  startedAt: number;
  elapsedMs: number;
  latency: LatencySummary;
  /** CPU time this process used (user + system), in ms. */
  cpuMs: number;
}

function send(message: WorkerMessage<PublishResult>, then?: () => void): void {
  process.send?.(message, undefined, undefined, () => then?.());
}

export async function runPublishers(spec: PublishSpec): Promise<PublishResult> {
  const latencies = new NumberList();
  let published = 0;
  let errors = 0;
  let firstError: string | undefined;
  const startedAt = Date.now();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const stopAt = started + spec.durationMs;
  const body = JSON.stringify({ kind: "bench", padding: "x".repeat(200) });

  const progress = setInterval(() => {
    const rate = published / ((performance.now() - started) / 1000);
    send({
      type: "progress",
      text: `${published} published, ${errors} errors, ${rate.toFixed(0)}/s`,
    });
  }, 1_000);

  async function callLoop(publisher: CmqPublisher): Promise<void> {
    while (performance.now() < stopAt) {
      const begin = performance.now();
      try {
        await publisher.publish({
          topic: spec.topicName,
          body,
          tags: ["bench"],
        });
        published += 1;
        latencies.push(performance.now() - begin);
      } catch (error) {
        errors += 1;
        firstError ??= (error as Error).message;
      }
    }
  }

  const loops: Array<Promise<void>> = [];
  for (let p = 0; p < spec.publishers; p += 1) {
    const publisher = new CmqPublisher({
      region: "ap-guangzhou",
      tdmqEndpoint: spec.endpoint,
      tdmqProtocol: "http://",
      credential: { secretId: spec.secretId, secretKey: spec.secretKey },
    });
    for (let i = 0; i < spec.inFlightPerPublisher; i += 1)
      loops.push(callLoop(publisher));
  }
  await Promise.all(loops);
  clearInterval(progress);

  const cpu = process.cpuUsage(cpuBefore);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    published,
    errors,
    firstError,
    startedAt,
    elapsedMs: performance.now() - started,
    latency: summarize(latencies.values()),
  };
}

if (process.send) {
  process.once("message", (spec: PublishSpec) => {
    runPublishers(spec).then(
      // Exits once the message is written, because the SDK clients keep
      // idle keep-alive sockets open.
      (result) => send({ type: "result", result }, () => process.exit(0)),
      (error: unknown) =>
        send({ type: "error", message: (error as Error).message }, () =>
          process.exit(1),
        ),
    );
  });
}

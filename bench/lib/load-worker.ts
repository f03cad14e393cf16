// Load generator process: receives one LoadSpec over IPC, sends the requests
// with node:http and keep-alive connections, and returns a LoadResult. It runs
// in its own process so that its CPU use is not charged to the server under test.
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type {
  LoadResult,
  LoadSpec,
  OrderTiming,
  WorkerMessage,
} from "./load-spec";
import { NumberList, summarize } from "./stats";

const PROGRESS_INTERVAL_MS = 1_000;

interface Outcome {
  status?: number;
  timedOut?: boolean;
  body?: string;
}

function send(message: WorkerMessage<LoadResult>, then?: () => void): void {
  process.send?.(message, undefined, undefined, () => then?.());
}

function sendRequest(
  agent: http.Agent,
  url: URL,
  spec: LoadSpec,
  body: Buffer | undefined,
  idempotencyKey: string | undefined,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = {
      accept: "application/json",
    };
    if (body) {
      headers["content-type"] = "application/json";
      headers["content-length"] = body.length;
    }
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;

    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = http.request(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path: spec.path,
        method: spec.method,
        headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          settle({
            status: response.statusCode,
            body: spec.collectOrderIds
              ? Buffer.concat(chunks).toString("utf8")
              : undefined,
          }),
        );
        response.on("error", () => settle({}));
      },
    );
    const timer = setTimeout(() => {
      settle({ timedOut: true });
      request.destroy();
    }, spec.timeoutMs);
    request.on("error", () => settle({}));
    request.end(body);
  });
}

function orderIdOf(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as { orderId?: unknown };
    return typeof parsed.orderId === "string" ? parsed.orderId : undefined;
  } catch {
    return undefined;
  }
}

/** Sends the requests of `spec` and measures them. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (spec.durationMs === undefined && spec.total === undefined)
    throw new Error("a load spec needs durationMs or total");
  const url = new URL(spec.baseUrl);
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: spec.concurrency,
  });
  const body =
    spec.body === undefined ? undefined : Buffer.from(spec.body, "utf8");

  const latencies = new NumberList();
  const okLatencies = new NumberList();
  const statuses: Record<string, number> = {};
  const timings: OrderTiming[] = [];
  let sent = 0;
  let completed = 0;
  let ok = 0;
  let networkErrors = 0;
  let timeouts = 0;

  const startedAt = Date.now();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const stopAt =
    spec.durationMs === undefined ? Infinity : started + spec.durationMs;
  const total = spec.total ?? Infinity;

  const progress = setInterval(() => {
    const rate = ok / ((performance.now() - started) / 1000);
    send({
      type: "progress",
      text: `${completed} done, ${completed - ok} failed, ${rate.toFixed(0)} ok/s`,
    });
  }, PROGRESS_INTERVAL_MS);

  /** Sends request number `index`; its latency counts from `scheduledAt`. */
  async function request(index: number, scheduledAt: number): Promise<void> {
    const key = spec.idempotencyKeyPrefix
      ? `${spec.idempotencyKeyPrefix}-${index}`
      : undefined;
    const begin = performance.now();
    const outcome = await sendRequest(agent, url, spec, body, key);
    const end = performance.now();
    const latencyMs = end - scheduledAt;
    completed += 1;
    latencies.push(latencyMs);
    if (outcome.timedOut) {
      timeouts += 1;
    } else if (outcome.status === undefined) {
      networkErrors += 1;
    } else {
      statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
      if (outcome.status >= 200 && outcome.status < 300) {
        ok += 1;
        okLatencies.push(latencyMs);
        const orderId = orderIdOf(outcome.body);
        if (orderId) {
          timings.push({
            orderId,
            sentAt: performance.timeOrigin + begin,
            receivedAt: performance.timeOrigin + end,
          });
        }
      }
    }
  }

  async function connectionLoop(): Promise<void> {
    while (sent < total && performance.now() < stopAt) {
      sent += 1;
      await request(sent, performance.now());
      if (spec.gapMs) await sleep(spec.gapMs);
    }
  }

  /**
   * Open loop: request n is due at start + n / rate, whether or not earlier
   * ones have ended, with at most `concurrency` in flight. Latency counts
   * from the due time, so time spent waiting for a free slot is included.
   */
  async function scheduleLoop(ratePerSecond: number): Promise<void> {
    const intervalMs = 1000 / ratePerSecond;
    const inFlight = new Set<Promise<void>>();
    while (sent < total && performance.now() < stopAt) {
      const dueAt = started + sent * intervalMs;
      const waitMs = dueAt - performance.now();
      if (waitMs > 1) await sleep(waitMs);
      while (inFlight.size >= spec.concurrency) await Promise.race(inFlight);
      sent += 1;
      const pending = request(sent, dueAt).finally(() =>
        inFlight.delete(pending),
      );
      inFlight.add(pending);
    }
    await Promise.all(inFlight);
  }

  if (spec.ratePerSecond === undefined) {
    await Promise.all(
      Array.from({ length: spec.concurrency }, () => connectionLoop()),
    );
  } else {
    await scheduleLoop(spec.ratePerSecond);
  }
  clearInterval(progress);
  agent.destroy();

  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    label: spec.label,
    concurrency: spec.concurrency,
    completed,
    ok,
    statuses,
    networkErrors,
    timeouts,
    elapsedMs,
    startedAt,
    okPerSecond: ok / (elapsedMs / 1000),
    latency: summarize(latencies.values()),
    okLatency: summarize(okLatencies.values()),
    cpuMs: (cpu.user + cpu.system) / 1000,
    orderIds: spec.collectOrderIds
      ? timings.map((timing) => timing.orderId)
      : undefined,
    timings: spec.collectOrderIds ? timings : undefined,
  };
}

if (process.send) {
  process.once("message", (spec: LoadSpec) => {
    runLoad(spec).then(
      // Disconnect only once the message is written: a result with many
      // order ids takes more than one write.
      (result) => send({ type: "result", result }, () => process.disconnect()),
      (error: unknown) =>
        send({ type: "error", message: (error as Error).message }, () =>
          process.disconnect(),
        ),
    );
  });
}

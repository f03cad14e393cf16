// Load generator process: receives one LoadSpec over IPC, sends the requests
// with node:http and keep-alive connections, and returns a LoadResult. It runs
// in its own process so that its CPU use is not charged to the server under test.
import { setTimeout as sleep } from "node:timers/promises";
import type {
  LoadResult,
  LoadSpec,
  OrderTiming,
  WorkerMessage,
} from "./load-spec";
import {
  RawHttpConnection,
  RequestTimeoutError,
  requestBytes,
} from "./raw-http-client";
import { NumberList, summarize } from "./stats";

const PROGRESS_INTERVAL_MS = 1_000;

interface Outcome {
  status?: number;
  timedOut?: boolean;
  body?: Buffer;
}

function send(message: WorkerMessage<LoadResult>, then?: () => void): void {
  process.send?.(message, undefined, undefined, () => then?.());
}

/** Connections to the server under test, reused across requests. */
class ConnectionPool {
  private readonly idle: RawHttpConnection[] = [];
  private readonly all: RawHttpConnection[] = [];
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly url: URL,
    timeoutMs: number,
  ) {
    // One timer for every connection instead of one per request.
    this.sweeper = setInterval(
      () => {
        const cutoff = performance.now() - timeoutMs;
        for (const connection of this.all) connection.expireBefore(cutoff);
      },
      Math.min(100, timeoutMs / 4),
    );
  }

  async send(request: Buffer): Promise<Outcome> {
    const connection =
      this.idle.pop() ??
      this.add(new RawHttpConnection(this.url.hostname, Number(this.url.port)));
    try {
      const response = await connection.send(request);
      return { status: response.status, body: response.body };
    } catch (error) {
      return error instanceof RequestTimeoutError ? { timedOut: true } : {};
    } finally {
      this.idle.push(connection);
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const connection of this.all) connection.close();
  }

  private add(connection: RawHttpConnection): RawHttpConnection {
    this.all.push(connection);
    return connection;
  }
}

function orderIdOf(body: Buffer | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { orderId?: unknown };
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
  const pool = new ConnectionPool(url, spec.timeoutMs);
  const body =
    spec.body === undefined ? undefined : Buffer.from(spec.body, "utf8");
  const headers: Record<string, string> = { accept: "application/json" };
  if (body) headers["content-type"] = "application/json";
  const requestOf = (key: string | undefined) =>
    requestBytes(
      spec.method,
      spec.path,
      url.host,
      key ? { ...headers, "idempotency-key": key } : headers,
      body,
    );

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
    const outcome = await pool.send(requestOf(key));
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
        const orderId = spec.collectOrderIds
          ? orderIdOf(outcome.body)
          : undefined;
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
  pool.close();

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

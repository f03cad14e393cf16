import type { LatencySummary } from "./stats";

/** The requests of one load run, as the parent passes them to the load worker. */
export interface LoadSpec {
  /** Shown in progress lines. */
  label: string;
  /** Server origin such as `http://127.0.0.1:3000`. */
  baseUrl: string;
  method: "POST" | "GET";
  path: string;
  /** Request body, the same for every request. */
  body?: string;
  /**
   * Prefix of the `Idempotency-Key` header; request number n sends
   * `<prefix>-<n>`, so every request is a new order. Unset sends no key.
   */
  idempotencyKeyPrefix?: string;
  /**
   * Without `ratePerSecond`, the requests kept in flight (closed loop): each
   * connection sends its next request when its previous one ends. With it,
   * the most requests in flight at once.
   */
  concurrency: number;
  /**
   * Open loop: send requests at this fixed rate, each one due at its time
   * whether or not earlier ones have ended.
   */
  ratePerSecond?: number;
  /** Stop sending after this long, in ms. */
  durationMs?: number;
  /** Stop after this many requests. */
  total?: number;
  /** A request still open after this long is aborted and counted as a timeout, in ms. */
  timeoutMs: number;
  /** Collect `orderId` from each 2xx JSON response, with its send and receive times. */
  collectOrderIds?: boolean;
  /** Pause between the end of a request and the next one on the same connection, in ms. */
  gapMs?: number;
}

/** When the load worker sent an accepted order and received its response. */
export interface OrderTiming {
  orderId: string;
  /** Epoch ms with fractions, from `performance.timeOrigin + performance.now()`. */
  sentAt: number;
  receivedAt: number;
}

/** Outcome of one load run, measured by the load worker. */
export interface LoadResult {
  label: string;
  concurrency: number;
  /** Requests that ended with a response, an error or a timeout. */
  completed: number;
  /** Responses with a 2xx status. */
  ok: number;
  /** Count of responses per HTTP status. */
  statuses: Record<string, number>;
  /** Requests that failed without a response (refused, reset). */
  networkErrors: number;
  /** Requests aborted after `timeoutMs`. */
  timeouts: number;
  /** From the first request sent to the last one ended, in ms. */
  elapsedMs: number;
  /** Epoch ms of the first request. */
  startedAt: number;
  /** 2xx responses per second over `elapsedMs`. */
  okPerSecond: number;
  /**
   * Time of every request until its response ended, its error or its
   * timeout; non-2xx responses, errors and timeouts included. In an open
   * loop it counts from the time the request was due.
   */
  latency: LatencySummary;
  /** Latency of the 2xx responses only. */
  okLatency: LatencySummary;
  /** CPU time the load generator itself used (user + system), in ms. */
  cpuMs: number;
  orderIds?: string[];
  timings?: OrderTiming[];
}

/** Messages from a worker process (load or publish) to its parent. */
export type WorkerMessage<Result> =
  | { type: "progress"; text: string }
  | { type: "result"; result: Result }
  | { type: "error"; message: string };

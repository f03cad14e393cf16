import type { MachineInfo } from "./machine";

/** Medians over the rounds of one system at one concurrency. */
export interface RunSummary {
  ordersPerSecond: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Non-2xx responses, network errors and timeouts, summed over the rounds. */
  errors: number;
  /** CPU time of the server's process per accepted order, every thread (median over rounds). */
  cpuMsPerOrder: number | null;
  /** The part of `cpuMsPerOrder` spent on the server's main thread. */
  mainThreadMsPerOrder: number | null;
  /** CPU time of the load generator's process per accepted order. */
  generatorCpuMsPerOrder: number | null;
  /** Each round's orders/s, p50 and p99, in run order. */
  rounds: Array<{
    ordersPerSecond: number | null;
    p50Ms: number | null;
    p99Ms: number | null;
  }>;
}

export interface IntakeLevel {
  concurrency: number;
  emulator: RunSummary;
  baseline: RunSummary;
  /** Median over rounds of emulator orders/s divided by the same round's baseline orders/s. */
  ratio: number | null;
}

export interface IntakeSection {
  /** Headline: emulator orders/s at `headlineConcurrency`. */
  ordersPerSecond: number | null;
  p99Ms: number | null;
  ratioToBaseline: number | null;
  headlineConcurrency: number;
  runSeconds: number;
  rounds: number;
  maxInstances: number;
  levels: IntakeLevel[];
  /** The same load with the queue consumers running, for comparison. */
  withConsumers: {
    concurrency: number;
    ordersPerSecond: number | null;
    p50Ms: number | null;
    p99Ms: number | null;
    errors: number;
  };
}

export interface SyncSummary {
  ordersPerSecond: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  ok: number;
  /** Requests sent before the run's time limit. */
  sent: number;
  /** Responses other than 2xx, by status. */
  errorStatuses: Record<string, number>;
  networkErrors: number;
  /** Requests the load generator aborted after its timeout. */
  timeouts: number;
  elapsedSeconds: number | null;
}

export interface PeakSection {
  orders: number;
  /** The burst's open-loop arrival rate. */
  arrivalRatePerSecond: number;
  maxInFlight: number;
  rateLimitPerSecond: number;
  maxInstances: number;
  intakeP50Ms: number | null;
  intakeP99Ms: number | null;
  intakeOrdersPerSecond: number | null;
  intakeErrors: number;
  burstSeconds: number | null;
  /** Largest count of deliveries stored but not yet done. */
  peakQueueDepth: number;
  /** From the first request of the burst until every accepted order is final. */
  drainSeconds: number | null;
  /** Successful charges per second from the first to the last charge. */
  chargesPerSecond: number | null;
  drainFraction: number | null;
  lost: number;
  missing: number;
  doubleCharges: number;
  deadLetters: number;
  finalStatuses: Record<string, number>;
  /** Warnings and errors logged during the run, by message. */
  logCounts: Record<string, number>;
  /** Requests the payment sandbox received, 429s included, when it reports them. */
  paymentRequests: number | null;
  /** Queue depth and finished orders over time: [seconds, depth, final]. */
  timeline: Array<[number, number, number]>;
  sync: SyncSummary;
  /** The synchronous run stops sending after this long. */
  syncTimeLimitSeconds: number;
  /** Synchronous baseline p99 divided by the emulator's intake p99. */
  syncP99Ratio: number | null;
}

export interface E2eSection {
  orders: number;
  gapMs: number;
  /** From the 202 response to the `shipped` history row. */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** From sending the POST to the `shipped` history row. */
  fromRequestP50Ms: number | null;
  /** From the `pending` history row to `paid`, and from `paid` to `shipped`. */
  pendingToPaidP50Ms: number | null;
  paidToShippedP50Ms: number | null;
  timedOut: number;
}

export interface QueueSection {
  /** Deliveries completed by the no-op consumer per second. */
  messagesPerSecond: number | null;
  /** PublishCmqMsg calls completed per second. */
  publishesPerSecond: number | null;
  publishers: number;
  inFlightPerPublisher: number;
  maxInstances: number;
  published: number;
  delivered: number;
  publishErrors: number;
  publishP50Ms: number | null;
  publishP99Ms: number | null;
  /** CPU time of the emulator's process per delivered message, every thread. */
  emulatorCpuMsPerMessage: number | null;
  emulatorMainThreadMsPerMessage: number | null;
  /** CPU time of the publishing process per PublishCmqMsg call. */
  publisherCpuMsPerMessage: number | null;
  runSeconds: number;
}

export interface ColdStartEntry {
  function: string;
  bytes: number;
  /** Median of require + first invocation over fresh processes, in ms. */
  medianMs: number | null;
  requireMedianMs: number | null;
  invokeMedianMs: number | null;
  /** The same handler built with the SDK's root import, when it imports the SDK. */
  rootImport?: {
    bytes: number;
    medianMs: number | null;
    requireMedianMs: number | null;
  };
  /** Whether the first invocation returned what the sample event should produce. */
  result: string;
}

export interface BenchResults {
  machine?: MachineInfo;
  /** When each section was last written, ISO 8601. */
  writtenAt?: Record<string, string>;
  /** The command that wrote each section, with `--quick` when it was a smoke run. */
  commands?: Record<string, string>;
  /** The machine's 1-minute load average when each section's script started and ended. */
  loadAverages?: Record<string, [number, number]>;
  run?: { command: string; wallSeconds: number; finishedAt: string };
  intake?: IntakeSection;
  peak?: PeakSection;
  e2e?: E2eSection;
  queue?: QueueSection;
  coldStart?: ColdStartEntry[];
}

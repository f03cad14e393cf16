import { randomUUID } from "node:crypto";
import { delimiter, join } from "node:path";
import type { Writable } from "node:stream";
import { Worker } from "node:worker_threads";
import type {
  FunctionSpec,
  InvocationError,
  InvocationResult,
} from "./invocation";

const WORKER_ENTRY = join(__dirname, "function-worker.cjs");

/** Variables of the emulator's own process that every instance also gets. */
const PASSED_THROUGH = ["PATH", "HOME", "TMPDIR", "TZ", "LANG", "NODE_OPTIONS"];

export interface PoolOptions {
  /** Most instances (worker threads) the function runs at once. */
  maxInstances: number;
  /** Destination of the instances' stdout and stderr; default this process's. */
  logStream?: Writable;
  region?: string;
  /**
   * Folders set as NODE_PATH, as SCF sets it to the code package's
   * node_modules: external modules such as better-sqlite3 resolve from
   * there when the bundle lives outside the project.
   */
  modulePaths?: string[];
}

interface Pending {
  resolve: (result: InvocationResult) => void;
  requestId: string;
  startedAt: number;
  timer: NodeJS.Timeout;
}

/** One SCF instance: a worker thread running one invocation at a time. */
class FunctionInstance {
  readonly worker: Worker;
  busy = false;
  dead = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly spec: FunctionSpec,
    env: Record<string, string>,
    logStream: Writable | undefined,
    private readonly onExit: (instance: FunctionInstance) => void,
  ) {
    this.worker = new Worker(WORKER_ENTRY, {
      workerData: { file: spec.file, exportName: spec.exportName },
      env,
      execArgv: instanceExecArgv(process.execArgv),
      stdout: logStream !== undefined,
      stderr: logStream !== undefined,
    });
    if (logStream) {
      // Forwarded by hand: pipe() adds five listeners to the shared stream
      // per instance and stream, and Node warns about a leak past ten.
      const forward = (chunk: Buffer) => logStream.write(chunk);
      this.worker.stdout.on("data", forward);
      this.worker.stderr.on("data", forward);
    }
    this.worker.on("message", (message) => this.onMessage(message));
    this.worker.on("error", (error) =>
      this.failAll(errorOf(error, "instance crashed")),
    );
    this.worker.on("exit", () => {
      this.dead = true;
      this.failAll({
        errorMessage: "instance exited",
        errorType: "InstanceExited",
        stackTrace: "",
      });
      this.onExit(this);
    });
  }

  invoke(
    event: unknown,
    context: Record<string, unknown>,
    requestId: string,
  ): Promise<InvocationResult> {
    const id = this.nextId++;
    const startedAt = Date.now();
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.timeOut(id), timeoutMs);
      this.pending.set(id, { resolve, requestId, startedAt, timer });
      try {
        this.worker.postMessage({ type: "invoke", id, event, context });
      } catch (error) {
        // The event could not be copied to the instance because it is too
        // deeply nested or not cloneable. The invocation never started, so
        // the instance stays and its timer is cleared.
        this.pending.delete(id);
        clearTimeout(timer);
        resolve({
          ok: false,
          error: errorOf(
            error,
            "the event could not be passed to the instance",
          ),
          durationMs: 0,
          requestId,
          timedOut: false,
        });
      }
    });
  }

  private onMessage(message: {
    type: string;
    id?: number;
    ok?: boolean;
    value?: unknown;
    error?: InvocationError;
  }) {
    if (message.type !== "result" || message.id === undefined) return;
    const entry = this.pending.get(message.id);
    if (!entry) return;

    this.pending.delete(message.id);
    clearTimeout(entry.timer);
    const durationMs = Date.now() - entry.startedAt;
    if (message.ok) {
      entry.resolve({
        ok: true,
        value: message.value,
        durationMs,
        requestId: entry.requestId,
      });
    } else {
      const error = message.error ?? {
        errorMessage: "unknown error",
        errorType: "Error",
        stackTrace: "",
      };
      entry.resolve({
        ok: false,
        error,
        durationMs,
        requestId: entry.requestId,
        timedOut: false,
      });
    }
  }

  /**
   * Ends an invocation that ran past the function's timeout. SCF stops the
   * instance, so the worker is terminated and the next invocation gets a
   * fresh one (a cold start).
   */
  private timeOut(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;

    this.pending.delete(id);
    const error = {
      errorMessage: `Invoking task timed out after ${this.spec.timeoutSeconds} seconds`,
      errorType: "TimeoutError",
      stackTrace: "",
    };
    entry.resolve({
      ok: false,
      error,
      durationMs: Date.now() - entry.startedAt,
      requestId: entry.requestId,
      timedOut: true,
    });
    this.terminate();
  }

  private failAll(error: InvocationError): void {
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      clearTimeout(entry.timer);
      entry.resolve({
        ok: false,
        error,
        durationMs: Date.now() - entry.startedAt,
        requestId: entry.requestId,
        timedOut: false,
      });
    }
  }

  terminate(): Promise<number> {
    this.dead = true;
    return this.worker.terminate();
  }
}

/** Node options that preload code or install module loaders, each followed by its value. */
const PRELOAD_OPTIONS = new Set([
  "--require",
  "-r",
  "--import",
  "--loader",
  "--experimental-loader",
]);

/**
 * Returns the emulator's Node options without preloads and module loaders
 * (such as tsx's, when the emulator runs under tsx). An instance runs a
 * plain CommonJS bundle as SCF's Node.js runtime does, and a worker that
 * inherited tsx would start its loader on every cold start and route every
 * `require` through it. Other options, such as `--cpu-prof`, stay.
 */
export function instanceExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index += 1) {
    const option = execArgv[index] as string;
    if (PRELOAD_OPTIONS.has(option)) {
      index += 1;
      continue;
    }
    const name = option.split("=")[0] as string;
    if (option.includes("=") && PRELOAD_OPTIONS.has(name)) continue;
    kept.push(option);
  }
  return kept;
}

function errorOf(error: unknown, fallback: string): InvocationError {
  if (error instanceof Error) {
    return {
      errorMessage: error.message,
      errorType: error.name,
      stackTrace: error.stack ?? "",
    };
  }
  return { errorMessage: fallback, errorType: "Error", stackTrace: "" };
}

/**
 * The instances of one function. Each instance runs one invocation at a
 * time, as SCF event functions do; the pool starts instances up to
 * `maxInstances` and queues invocations beyond that.
 */
export class FunctionPool {
  private readonly idle: FunctionInstance[] = [];
  private readonly all = new Set<FunctionInstance>();
  private readonly waiting: Array<() => void> = [];
  private closed = false;

  constructor(
    readonly spec: FunctionSpec,
    private readonly options: PoolOptions,
  ) {}

  /** Invocations running now plus those waiting for an instance. */
  get load(): number {
    let busy = 0;
    for (const instance of this.all) if (instance.busy) busy += 1;
    return busy + this.waiting.length;
  }

  get capacity(): number {
    return this.options.maxInstances;
  }

  /**
   * Runs one invocation with a fresh request id unless `requestId` is
   * given; `contextOverrides` replace fields of SCF's context object.
   */
  async invoke(
    event: unknown,
    requestId: string = randomUUID(),
    contextOverrides: Record<string, unknown> = {},
  ): Promise<InvocationResult> {
    const instance = await this.acquire();
    instance.busy = true;
    try {
      const context = { ...this.contextFor(requestId), ...contextOverrides };
      return await instance.invoke(event, context, requestId);
    } finally {
      instance.busy = false;
      this.release(instance);
    }
  }

  private contextFor(requestId: string): Record<string, unknown> {
    const environ = Object.entries(this.spec.environment)
      .map(([key, value]) => `${key}=${value}`)
      .join(";");
    return {
      request_id: requestId,
      function_name: this.spec.key,
      function_version: "$LATEST",
      namespace: "default",
      memory_limit_in_mb: this.spec.memorySize,
      time_limit_in_ms: this.spec.timeoutSeconds * 1000,
      environ,
      tencentcloud_region: this.options.region ?? "ap-guangzhou",
    };
  }

  private async acquire(): Promise<FunctionInstance> {
    for (;;) {
      if (this.closed)
        throw new Error(`function ${this.spec.key} is shut down`);
      const idle = this.idle.pop();
      if (idle && !idle.dead) return idle;
      if (idle) continue;
      if (this.all.size < this.options.maxInstances) return this.start();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(instance: FunctionInstance): void {
    if (!instance.dead) this.idle.push(instance);
    this.waiting.shift()?.();
  }

  private start(): FunctionInstance {
    const env: Record<string, string> = {};
    for (const name of PASSED_THROUGH) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, {
      SCF_FUNCTIONNAME: this.spec.key,
      SCF_FUNCTIONVERSION: "$LATEST",
      SCF_NAMESPACE: "default",
      TENCENTCLOUD_RUNENV: "SCF",
      TENCENTCLOUD_REGION: this.options.region ?? "ap-guangzhou",
      NODE_PATH: (this.options.modulePaths ?? []).join(delimiter),
      ...this.spec.environment,
    });

    const instance = new FunctionInstance(
      this.spec,
      env,
      this.options.logStream,
      (exited) => {
        this.all.delete(exited);
        this.waiting.shift()?.();
      },
    );
    this.all.add(instance);
    return instance;
  }

  /** Stops every instance; running invocations fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.waiting.splice(0)) resolve();
    await Promise.all([...this.all].map((instance) => instance.terminate()));
  }
}

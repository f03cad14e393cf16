import { join, resolve } from "node:path";
import type { Writable } from "node:stream";
import type { Logger } from "pino";
import { bundleFunctions } from "../scripts/bundle-functions";
import {
  type HttpRoute,
  loadServerlessConfig,
  type ServerlessConfig,
} from "./config/serverless-config";
import { LOCAL_ROUTES_FILE, loadLocalRoutes } from "./config/local-routes";
import { Dispatcher } from "./dispatch/dispatcher";
import { type Faults, noFaults } from "./faults";
import type { RetryBackoff } from "./dispatch/retry-policy";
import { startTriggerServer } from "./http/trigger-server";
import { readRunningState, removeState, writeState } from "./state-file";
import { type LocalServices, localVariables } from "./local-environment";
import { ensureSubscriptions, startLocalServices } from "./local-services";
import type { MessageStore } from "./messages/message-store";
import { FunctionPool } from "./runtime/function-pool";
import { functionSpecOf, requireHandlerFile } from "./runtime/function-spec";
import type { SandboxServer } from "./sandbox/http-util";
import { TimerScheduler } from "./timers/timer-scheduler";

export interface EmulatorOptions {
  /** Project root with `functions/` and `serverless.yml`. */
  root: string;
  configFile?: string;
  /** Port of the HTTP triggers; 0 picks a free one. */
  port: number;
  /** Ports of the cloud API, payment and carrier sandboxes; 0 picks free ones. */
  apiPort: number;
  paymentPort: number;
  carrierPort: number;
  /** Folder for the SQLite files and the source build. */
  dataDir: string;
  /** Run the bundles in the code package (`npm run build`) instead of building the source. */
  dist?: boolean;
  /** Variables set on every function after serverless.yml's. */
  envOverrides?: Record<string, string>;
  maxInstances?: number;
  backoff?: RetryBackoff;
  logger: Logger;
  /** Faults to inject; the emulator's `faults` object can change them later. */
  faults?: Partial<Faults>;
  /** Destination of the function logs; default the emulator's stdout. */
  functionLogStream?: Writable;
  env?: NodeJS.ProcessEnv;
}

export interface Emulator {
  httpUrl: string;
  services: LocalServices;
  config: ServerlessConfig;
  /** HTTP routes: the `apigw` triggers and the local routes. */
  routes: HttpRoute[];
  store: MessageStore;
  dispatcher: Dispatcher;
  pools: Map<string, FunctionPool>;
  payment: SandboxServer;
  carrier: SandboxServer;
  dataDir: string;
  faults: Faults;
  /** Messages that were waiting for delivery when the emulator started. */
  resumed: number;
  /** Maximum time `close()` waits for HTTP requests in progress, in milliseconds. */
  httpDrainTimeoutMs: number;
  /**
   * Stops the HTTP triggers first (requests in progress finish, for up to
   * `httpDrainTimeoutMs`), then timers, dispatch, function instances and
   * the local services. Undelivered messages stay stored.
   */
  close(): Promise<void>;
}

/** Data folders of the emulators running in this process. */
const activeDataDirs = new Set<string>();

/** The account id the emulator reports as CMQ `topicOwner`. */
export const LOCAL_ACCOUNT_ID = 1_250_000_000;

/**
 * Starts the whole local pipeline: the message store, the Tencent Cloud
 * API, the sandbox providers, one pool per function, CMQ dispatch, timers
 * and the HTTP triggers, all on 127.0.0.1.
 */
export async function startEmulator(
  options: EmulatorOptions,
): Promise<Emulator> {
  const dataDir = resolve(options.dataDir);
  const logger = options.logger;
  const other = readRunningState(dataDir);
  if (activeDataDirs.has(dataDir) || (other && other.pid !== process.pid)) {
    const where = other ? ` (pid ${other.pid}, ${other.httpUrl})` : "";
    throw new Error(
      `an emulator already runs on ${dataDir}${where}; ` +
        "stop it first, or give this one another --data-dir",
    );
  }
  activeDataDirs.add(dataDir);
  let dispatcher: Dispatcher | undefined;
  const faults = { ...noFaults(), ...options.faults };
  const running = await startLocalServices(
    dataDir,
    {
      apiPort: options.apiPort,
      paymentPort: options.paymentPort,
      carrierPort: options.carrierPort,
    },
    logger,
    (deliveries) => dispatcher?.enqueue(deliveries),
    faults,
  ).catch((error: unknown) => {
    activeDataDirs.delete(dataDir);
    throw error;
  });
  const { services, store, payment, carrier } = running;
  const closers: Array<() => Promise<void> | void> = [
    () => {
      activeDataDirs.delete(dataDir);
    },
    () => running.close(),
  ];

  try {
    const env = options.env ?? process.env;
    const config = loadServerlessConfig(
      options.configFile ?? join(options.root, "serverless.yml"),
      localVariables(services, dataDir, env),
    );

    const codeRoot = options.dist ? config.srcDir : join(dataDir, "build");
    if (!options.dist) await bundleFunctions(options.root, codeRoot);

    const pools = new Map<string, FunctionPool>();
    for (const fn of config.functions.values()) {
      const spec = functionSpecOf(fn, codeRoot, services, options.envOverrides);
      requireHandlerFile(spec, options.dist === true);
      pools.set(
        fn.key,
        new FunctionPool(spec, {
          maxInstances: options.maxInstances ?? 4,
          logStream: options.functionLogStream,
          region: config.region,
          modulePaths: [join(options.root, "node_modules")],
        }),
      );
    }
    closers.unshift(() =>
      Promise.all([...pools.values()].map((pool) => pool.close())).then(
        () => undefined,
      ),
    );

    ensureSubscriptions(store, config, logger);
    dispatcher = new Dispatcher({
      store,
      pools,
      retryNumOf: (key) => config.functions.get(key)?.retryNum ?? 2,
      backoff: options.backoff,
      topicOwner: LOCAL_ACCOUNT_ID,
      logger: logger.child({ component: "dispatcher" }),
      faults,
    });
    const activeDispatcher = dispatcher;
    closers.unshift(() => activeDispatcher.close());
    const resumed = dispatcher.resume();

    const timers = new TimerScheduler(
      pools,
      logger.child({ component: "timers" }),
    );
    for (const timer of config.timers) if (timer.enabled) timers.start(timer);
    closers.unshift(() => timers.close());

    const routes = [
      ...config.routes,
      ...loadLocalRoutes(join(options.root, LOCAL_ROUTES_FILE), config),
    ];
    const http = await startTriggerServer({
      port: options.port,
      routes,
      functionUrls: config.functionUrls.map((trigger) => trigger.functionKey),
      pools,
      stage: config.stage,
      logger: logger.child({ component: "http" }),
      admin: { store, dispatcher, faults },
    });
    closers.unshift(() => http.close());
    writeState(dataDir, {
      pid: process.pid,
      httpUrl: http.url,
      startedAt: new Date().toISOString(),
    });
    closers.unshift(() => removeState(dataDir));

    return {
      httpUrl: http.url,
      services,
      config,
      routes,
      store,
      dispatcher,
      pools,
      payment,
      carrier,
      dataDir,
      faults,
      resumed,
      httpDrainTimeoutMs: http.drainTimeoutMs,
      close: () => runClosers(closers),
    };
  } catch (error) {
    await runClosers(closers);
    throw error;
  }
}

async function runClosers(
  closers: Array<() => Promise<void> | void>,
): Promise<void> {
  for (const close of closers.splice(0)) await close();
}

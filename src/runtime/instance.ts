import {
  type Config,
  type ConfigPart,
  loadConfig,
  type PublisherConfig,
} from "../config/config";
import { createLogger, type Logger } from "../logging/logger";
import type { Publisher } from "../messaging/publisher";
import { openOrderStore } from "../storage/open-store";
import type { OrderStore } from "../storage/order-store";

/** Dependencies a function instance creates once, at cold start, and reuses. */
export interface Instance {
  config: Config;
  logger: Logger;
  store: OrderStore;
  publisher?: Publisher;
  /** Resolves once the store's migrations ran; runs them on first call. */
  ready(): Promise<void>;
}

/**
 * Creates a function instance's dependencies from the environment. It
 * throws a ConfigError naming the variable when one is missing or
 * invalid, so a misconfigured function fails at cold start. Functions
 * that publish pass `createPublisher`, so the others' bundles leave the
 * Tencent Cloud SDK out.
 */
export function createInstance(
  functionName: string,
  parts: ConfigPart[],
  createPublisher?: (config: PublisherConfig) => Publisher,
): Instance {
  const config = loadConfig(parts);
  const logger = createLogger({ function: functionName });
  const store = openOrderStore(config.databaseUrl);
  const publisher =
    config.publisher && createPublisher
      ? createPublisher(config.publisher)
      : undefined;

  let migrated: Promise<void> | undefined;
  const ready = (): Promise<void> => {
    if (!migrated) {
      migrated = store.migrate();
      // A failed migration is not cached, so the next invocation tries again.
      migrated.catch((error: unknown) => {
        logger.error({ err: error }, "schema migration failed");
        migrated = undefined;
      });
    }
    return migrated;
  };
  return { config, logger, store, publisher, ready };
}

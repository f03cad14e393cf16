import { Pool } from "pg";
import { ConfigError } from "../config/config";
import type { Logger } from "../logging/logger";

/** Connection pool settings of one function instance. */
export interface PostgresPoolOptions {
  /** Connections the instance may open at once. */
  max: number;
  /** Milliseconds an unused connection stays open. */
  idleTimeoutMillis: number;
  /** Milliseconds to wait for a new connection before failing the query. */
  connectionTimeoutMillis: number;
}

/**
 * Pool defaults for SCF: an instance runs one invocation at a time, so two
 * connections cover a transaction plus a read. A short idle timeout hands
 * connections back to the server soon after a burst.
 */
export const DEFAULT_POOL_OPTIONS: PostgresPoolOptions = {
  max: 2,
  idleTimeoutMillis: 5_000,
  connectionTimeoutMillis: 5_000,
};

/** Reads the pool size from `PG_POOL_MAX` (a positive integer, default 2). */
export function poolOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): PostgresPoolOptions {
  const value = env.PG_POOL_MAX;
  if (value === undefined || value === "") return { ...DEFAULT_POOL_OPTIONS };

  const max = Number(value);
  if (!Number.isInteger(max) || max < 1) {
    throw new ConfigError(
      `PG_POOL_MAX is invalid: expected a positive integer, got "${value}"`,
    );
  }
  return { ...DEFAULT_POOL_OPTIONS, max };
}

/**
 * Creates the pool of one function instance. It opens connections on the
 * first query and logs errors of idle connections instead of crashing.
 */
export function createPool(
  connectionString: string,
  options: Partial<PostgresPoolOptions>,
  logger: Logger,
): Pool {
  const pool = new Pool({
    connectionString,
    ...DEFAULT_POOL_OPTIONS,
    ...options,
    // Idle connections do not keep a script such as `npm run migrate` alive.
    allowExitOnIdle: true,
  });
  // NOTE: the server or a NAT may close a connection while SCF keeps the
  // instance frozen. The next query on it then fails its invocation, and
  // the pool replaces the connection.
  pool.on("error", (error) => {
    logger.warn({ err: error }, "idle PostgreSQL connection failed");
  });
  return pool;
}

/**
 * Parts of the configuration a function can require beyond the database:
 * `publisher` for functions that publish messages, `payment` and `carrier`
 * for the consumers that call those providers.
 */
export type ConfigPart = "publisher" | "payment" | "carrier";

// The variables are checked with the plain readers of `EnvReader` below
// rather than zod schemas, because building and running zod schemas for
// them added about 4 ms to every cold start (a minified bundle on a 2-core
// VM, Node 20).

const LOG_LEVELS = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
] as const;

/** Settings every function has. */
export interface BaseConfig {
  databaseUrl: string;
  logLevel: string;
  /** API keys accepted in `X-Api-Key`; empty means no key is required. */
  orderApiKeys: string[];
  idempotencyTtlSeconds: number;
  /**
   * Age after which the outbox relay sends an unfinished order's next
   * message again, in seconds.
   */
  stalledOrderSeconds: number;
  topics: { orderCreated: string; orderPaid: string };
}

export interface PublisherConfig {
  region: string;
  /** Host and optional port of the TDMQ API, without scheme. */
  tdmqEndpoint: string;
  tdmqProtocol: "http://" | "https://";
  credential: { secretId: string; secretKey: string; token?: string };
}

export interface ProviderConfig {
  url: string;
  apiKey: string;
  timeoutMs: number;
}

export interface Config extends BaseConfig {
  publisher?: PublisherConfig;
  payment?: ProviderConfig;
  carrier?: ProviderConfig;
}

/** A configuration value that is missing or invalid, named by its variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Reads variables from an environment in which "" counts as unset, so a
 * default applies to it. `npm run deploy` passes unset optional variables
 * such as TDMQ_API_URL as "", and the emulator does the same for every
 * unset `${env:NAME}` of serverless.yml. Each reader records a problem
 * instead of throwing, so one ConfigError can name every bad variable of a
 * part.
 */
class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /**
   * Returns the value, or `fallback` when the variable is unset. An unset
   * variable without a fallback is recorded as missing.
   */
  string(name: string, fallback?: string): string {
    const value = this.value(name);
    if (value !== undefined) return value;
    if (fallback === undefined)
      this.problems.push(`${name} is missing or empty`);
    return fallback ?? "";
  }

  optional(name: string): string | undefined {
    return this.value(name);
  }

  /** Returns a value that matches `pattern`, which `rule` describes in the problem. */
  matching(name: string, pattern: RegExp, rule: string): string {
    const value = this.string(name);
    if (value !== "" && !pattern.test(value)) this.invalid(name, rule);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(name, fallback);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.invalid(name, `must be one of ${allowed.join(", ")}`);
    return fallback;
  }

  /**
   * Returns `Number(value)` when it is a positive integer. An unset variable
   * gives `fallback`, and any other value is recorded as invalid.
   */
  positiveInteger(name: string, fallback: number): number {
    const value = this.value(name);
    if (value === undefined) return fallback;
    const number = Number(value);
    if (Number.isInteger(number) && number > 0) return number;
    this.invalid(name, "must be a positive integer");
    return fallback;
  }

  /**
   * Returns an http or https URL, trimmed. An unset variable gives
   * `fallback`, or is recorded as missing when there is none.
   */
  httpUrl(name: string, fallback?: string): string {
    const raw = this.value(name) ?? fallback;
    if (raw === undefined) {
      this.problems.push(`${name} is missing or empty`);
      return "";
    }
    const value = raw.trim();
    let protocol: string;
    try {
      protocol = new URL(value).protocol;
    } catch {
      this.invalid(name, "must be a URL");
      return value;
    }
    if (protocol !== "http:" && protocol !== "https:") {
      this.invalid(name, "must be an http or https URL");
    }
    return value;
  }

  /** Throws a ConfigError listing every problem recorded so far. */
  throwIfInvalid(): void {
    if (this.problems.length === 0) return;
    throw new ConfigError(`invalid configuration: ${this.problems.join("; ")}`);
  }

  private value(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === "" ? undefined : value;
  }

  private invalid(name: string, rule: string): void {
    this.problems.push(`${name} is invalid: ${rule}`);
  }
}

function readProvider(
  env: EnvReader,
  urlName: string,
  keyName: string,
): ProviderConfig {
  return {
    url: env.httpUrl(urlName),
    apiKey: env.string(keyName),
    timeoutMs: env.positiveInteger("PROVIDER_TIMEOUT_MS", 3_000),
  };
}

/**
 * Parses the environment once, at cold start, so a missing or invalid value
 * fails before the first request with the variable's name.
 */
export function loadConfig(
  parts: ConfigPart[] = [],
  processEnv: NodeJS.ProcessEnv = process.env,
): Config {
  const env = new EnvReader(processEnv);
  const config: Config = {
    databaseUrl: env.matching(
      "DATABASE_URL",
      /^(sqlite:|postgres:|postgresql:)/,
      "must start with sqlite:, postgres: or postgresql:",
    ),
    logLevel: env.oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    orderApiKeys: (env.optional("ORDER_API_KEYS") ?? "")
      .split(",")
      .map((key) => key.trim())
      .filter((key) => key.length > 0),
    idempotencyTtlSeconds: env.positiveInteger(
      "IDEMPOTENCY_TTL_SECONDS",
      86_400,
    ),
    stalledOrderSeconds: env.positiveInteger("STALLED_ORDER_SECONDS", 900),
    topics: {
      orderCreated: env.string("ORDER_CREATED_TOPIC", "order-created"),
      orderPaid: env.string("ORDER_PAID_TOPIC", "order-paid"),
    },
  };
  env.throwIfInvalid();

  if (parts.includes("publisher")) {
    // SCF sets TENCENTCLOUD_REGION in the function's environment (NOTE: seen
    // in community runtimes, not in the official variable table).
    const region = env.string("TENCENTCLOUD_REGION", "ap-guangzhou");
    const apiUrl = env.httpUrl(
      "TDMQ_API_URL",
      "https://tdmq.tencentcloudapi.com",
    );
    // SCF's role credentials: no underscore before ID, KEY and TOKEN.
    const secretId = env.string("TENCENTCLOUD_SECRETID");
    const secretKey = env.string("TENCENTCLOUD_SECRETKEY");
    const token = env.optional("TENCENTCLOUD_SESSIONTOKEN");
    env.throwIfInvalid();
    const url = new URL(apiUrl);
    config.publisher = {
      region,
      tdmqEndpoint: url.host,
      tdmqProtocol: url.protocol === "http:" ? "http://" : "https://",
      credential: { secretId, secretKey, token },
    };
  }
  if (parts.includes("payment")) {
    config.payment = readProvider(env, "PAYMENT_API_URL", "PAYMENT_API_KEY");
    env.throwIfInvalid();
  }
  if (parts.includes("carrier")) {
    config.carrier = readProvider(env, "CARRIER_API_URL", "CARRIER_API_KEY");
    env.throwIfInvalid();
  }
  return config;
}

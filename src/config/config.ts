import * as z from "zod";

/**
 * Parts of the configuration a function can require beyond the database:
 * `publisher` for functions that publish messages, `payment` and `carrier`
 * for the consumers that call those providers.
 */
export type ConfigPart = "publisher" | "payment" | "carrier";

const url = z.url({ protocol: /^https?$/ });

const baseSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(
      /^(sqlite:|postgres:|postgresql:)/,
      "must start with sqlite:, postgres: or postgresql:",
    ),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info"),
  ORDER_API_KEYS: z.string().optional(),
  IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
  STALLED_ORDER_SECONDS: z.coerce.number().int().positive().default(900),
  ORDER_CREATED_TOPIC: z.string().min(1).default("order-created"),
  ORDER_PAID_TOPIC: z.string().min(1).default("order-paid"),
});

const publisherSchema = z.object({
  // SCF sets TENCENTCLOUD_REGION in the function's environment (NOTE: seen
  // in community runtimes, not in the official variable table).
  TENCENTCLOUD_REGION: z.string().min(1).default("ap-guangzhou"),
  TDMQ_API_URL: url.default("https://tdmq.tencentcloudapi.com"),
  // SCF's role credentials: no underscore before ID, KEY and TOKEN.
  TENCENTCLOUD_SECRETID: z.string().min(1),
  TENCENTCLOUD_SECRETKEY: z.string().min(1),
  TENCENTCLOUD_SESSIONTOKEN: z.string().optional(),
});

const paymentSchema = z.object({
  PAYMENT_API_URL: url,
  PAYMENT_API_KEY: z.string().min(1),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
});

const carrierSchema = z.object({
  CARRIER_API_URL: url,
  CARRIER_API_KEY: z.string().min(1),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
});

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
 * Drops variables whose value is "", so an empty value counts as unset and
 * its default applies. `npm run deploy` passes unset optional variables
 * such as TDMQ_API_URL as "", and the emulator does the same for every
 * unset `${env:NAME}` of serverless.yml.
 */
function withoutEmptyValues(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== ""),
  );
}

function parsePart<T extends z.ZodType>(
  schema: T,
  env: NodeJS.ProcessEnv,
): z.infer<T> {
  const present = withoutEmptyValues(env);
  const result = schema.safeParse(present);
  if (result.success) return result.data;

  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".");
    const value = present[name];
    const reason =
      value === undefined
        ? "is missing or empty"
        : `is invalid: ${issue.message}`;
    return `${name} ${reason}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
}

/**
 * Parses the environment once, at cold start, so a missing or invalid value
 * fails before the first request with the variable's name.
 */
export function loadConfig(
  parts: ConfigPart[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const base = parsePart(baseSchema, env);
  const config: Config = {
    databaseUrl: base.DATABASE_URL,
    logLevel: base.LOG_LEVEL,
    orderApiKeys: (base.ORDER_API_KEYS ?? "")
      .split(",")
      .map((key) => key.trim())
      .filter((key) => key.length > 0),
    idempotencyTtlSeconds: base.IDEMPOTENCY_TTL_SECONDS,
    stalledOrderSeconds: base.STALLED_ORDER_SECONDS,
    topics: {
      orderCreated: base.ORDER_CREATED_TOPIC,
      orderPaid: base.ORDER_PAID_TOPIC,
    },
  };

  if (parts.includes("publisher")) {
    const publisher = parsePart(publisherSchema, env);
    const apiUrl = new URL(publisher.TDMQ_API_URL);
    config.publisher = {
      region: publisher.TENCENTCLOUD_REGION,
      tdmqEndpoint: apiUrl.host,
      tdmqProtocol: apiUrl.protocol === "http:" ? "http://" : "https://",
      credential: {
        secretId: publisher.TENCENTCLOUD_SECRETID,
        secretKey: publisher.TENCENTCLOUD_SECRETKEY,
        token: publisher.TENCENTCLOUD_SESSIONTOKEN || undefined,
      },
    };
  }
  if (parts.includes("payment")) {
    const payment = parsePart(paymentSchema, env);
    config.payment = {
      url: payment.PAYMENT_API_URL,
      apiKey: payment.PAYMENT_API_KEY,
      timeoutMs: payment.PROVIDER_TIMEOUT_MS,
    };
  }
  if (parts.includes("carrier")) {
    const carrier = parsePart(carrierSchema, env);
    config.carrier = {
      url: carrier.CARRIER_API_URL,
      apiKey: carrier.CARRIER_API_KEY,
      timeoutMs: carrier.PROVIDER_TIMEOUT_MS,
    };
  }
  return config;
}

import { maskList, maskSecret, maskUrlPassword } from "./mask";

/** Masking applied to a value when it is printed. */
export type SecretKind = "secret" | "list" | "url-password";

/** Requirements of `npm run deploy` for one `${env:NAME}` in serverless.yml. */
export interface VariableRule {
  name: string;
  /** Description of the value, shown when it is missing. */
  description: string;
  /** An optional variable that is unset is passed as "" (the function's default). */
  optional?: boolean;
  secret?: SecretKind;
  /** Returns why a non-empty value is invalid, or undefined when it is valid. */
  check?: (value: string) => string | undefined;
}

/** Shortest key accepted in ORDER_API_KEYS for a deployed API. */
const MIN_API_KEY_LENGTH = 16;

const LOOPBACK_HOSTS = new Set(["localhost", "0.0.0.0", "[::1]", "::1"]);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || hostname.startsWith("127.");
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Checks an http(s) URL that deployed functions call, which cannot be loopback. */
function checkServiceUrl(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    return "must be an http:// or https:// URL";
  }
  if (isLoopback(url.hostname)) {
    return `points at ${url.hostname}, which SCF functions cannot reach`;
  }
  return undefined;
}

/** Checks a PostgreSQL URL. `allowLoopback` accepts a tunnel for migrations. */
function checkPostgresUrl(
  value: string,
  allowLoopback: boolean,
): string | undefined {
  const url = parseUrl(value);
  if (
    !url ||
    (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
  ) {
    return "must be a postgres:// or postgresql:// URL (SCF has no SQLite file)";
  }
  if (!allowLoopback && isLoopback(url.hostname)) {
    return `points at ${url.hostname}, which SCF functions cannot reach. Use the database's VPC address`;
  }
  return undefined;
}

function checkApiKeys(value: string): string | undefined {
  const keys = value
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  if (keys.length === 0) return "must contain at least one key";
  const short = keys.filter((key) => key.length < MIN_API_KEY_LENGTH);
  if (short.length > 0) {
    return `has ${short.length} key(s) shorter than ${MIN_API_KEY_LENGTH} characters. Generate keys with \`openssl rand -hex 24\``;
  }
  return undefined;
}

function checkPattern(pattern: RegExp, example: string) {
  return (value: string): string | undefined =>
    pattern.test(value) ? undefined : `must look like ${example}`;
}

/** Variables serverless.yml references, and what a deploy requires of each. */
export const DEPLOY_VARIABLES: readonly VariableRule[] = [
  {
    name: "STAGE",
    description: "the stage, from --stage (default dev)",
    check: checkPattern(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "dev or prod-1"),
  },
  {
    name: "DATABASE_URL",
    description:
      "the PostgreSQL URL the functions use, e.g. postgres://app:PASSWORD@10.0.0.5:5432/orders",
    secret: "url-password",
    check: (value) => checkPostgresUrl(value, false),
  },
  {
    name: "ORDER_API_KEYS",
    description:
      "comma-separated API keys that clients send in X-Api-Key (a deployed API must require one)",
    secret: "list",
    check: checkApiKeys,
  },
  {
    name: "TDMQ_API_URL",
    description: "the TDMQ API endpoint (empty: the SDK's default)",
    optional: true,
    check: checkServiceUrl,
  },
  {
    name: "PAYMENT_API_URL",
    description: "the payment provider's base URL",
    check: checkServiceUrl,
  },
  {
    name: "PAYMENT_API_KEY",
    description: "the payment provider's API key",
    secret: "secret",
  },
  {
    name: "CARRIER_API_URL",
    description: "the carrier's base URL",
    check: checkServiceUrl,
  },
  {
    name: "CARRIER_API_KEY",
    description: "the carrier's API key",
    secret: "secret",
  },
  {
    name: "VPC_ID",
    description: "the VPC of the PostgreSQL instance, e.g. vpc-abcd1234",
    check: checkPattern(/^vpc-[0-9a-z]+$/, "vpc-abcd1234"),
  },
  {
    name: "SUBNET_ID",
    description: "a subnet of that VPC for the functions, e.g. subnet-abcd1234",
    check: checkPattern(/^subnet-[0-9a-z]+$/, "subnet-abcd1234"),
  },
];

/** The URL `npm run migrate` uses when set; DATABASE_URL otherwise. */
export const MIGRATE_DATABASE_URL: VariableRule = {
  name: "MIGRATE_DATABASE_URL",
  description:
    "the PostgreSQL URL migrations use from this machine (a public address or a tunnel); defaults to DATABASE_URL",
  optional: true,
  secret: "url-password",
  check: (value) => checkPostgresUrl(value, true),
};

const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD/i;

/**
 * Returns the rule for a variable: the known rule, or for a name not in
 * DEPLOY_VARIABLES a required variable, masked when its name looks secret.
 */
export function ruleFor(name: string): VariableRule {
  const known = DEPLOY_VARIABLES.find((rule) => rule.name === name);
  if (known) return known;
  return {
    name,
    description: "referenced as ${env:" + name + "} in serverless.yml",
    secret: SECRET_NAME.test(name) ? "secret" : undefined,
  };
}

/** Masks a value for printing according to its rule. */
export function maskValue(rule: VariableRule, value: string): string {
  if (value === "") return value;
  switch (rule.secret) {
    case "secret":
      return maskSecret(value);
    case "list":
      return maskList(value);
    case "url-password":
      return maskUrlPassword(value);
    default:
      return value;
  }
}

/** The checked values, or every problem found, each naming its variable. */
export interface CheckedVariables {
  values: Record<string, string>;
  problems: string[];
}

/**
 * Checks each variable in `rules` against `env`: a required one must be set
 * and non-empty, and a set value must pass its rule's check. An unset
 * optional variable becomes "": the components CLI 3.18.2 resolves an unset
 * `${env:NAME}` to undefined, which tencent-component-toolkit then writes
 * into the function's environment as the text "undefined" (read from their
 * source, not run).
 */
export function checkVariables(
  rules: readonly VariableRule[],
  env: Record<string, string | undefined>,
): CheckedVariables {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const rule of rules) {
    const value = env[rule.name] ?? "";
    if (value === "") {
      if (rule.optional) values[rule.name] = "";
      else
        problems.push(`${rule.name} is missing or empty: ${rule.description}`);
      continue;
    }
    const reason = rule.check?.(value);
    if (reason) {
      problems.push(`${rule.name} is invalid: ${reason}`);
      continue;
    }
    values[rule.name] = value;
  }
  return { values, problems };
}

import { readFileSync } from "node:fs";
import { dirname, posix, resolve } from "node:path";
import { parse } from "yaml";

/** One function of the multi-scf `functions` map, variables resolved. */
export interface FunctionConfig {
  key: string;
  /**
   * Handler file without `.js`, relative to the code package root: the
   * function's own `src` folder (relative to `inputs.src.src`), if any,
   * joined with the file part of `handler`.
   */
  handlerFile: string;
  handlerExport: string;
  timeoutSeconds: number;
  memorySize: number;
  /** Retries of a failed asynchronous invocation (SCF default 2). */
  retryNum: number;
  environment: Record<string, string>;
}

export interface HttpRoute {
  method: string;
  /** Path template such as `/orders/{id}`. */
  path: string;
  functionKey: string;
  serviceName: string;
  /**
   * The event the function gets: API Gateway's for `apigw` triggers, a
   * Function URL's for local routes in front of `http` triggers.
   */
  shape: "apigw" | "function-url";
}

export interface CmqTrigger {
  functionKey: string;
  topicName: string;
  filterTags: string[];
  /** SCF creates CMQ and timer triggers disabled unless `enable: true`. */
  enabled: boolean;
}

export interface TimerTrigger {
  functionKey: string;
  name: string;
  cronExpression: string;
  argument?: string;
  enabled: boolean;
}

/** A Function URL (`http` trigger): one URL for the whole function. */
export interface FunctionUrlTrigger {
  functionKey: string;
}

export interface ServerlessConfig {
  file: string;
  app: string;
  stage: string;
  name: string;
  region: string;
  /** Absolute path of the code package (`inputs.src.src`). */
  srcDir: string;
  functions: Map<string, FunctionConfig>;
  routes: HttpRoute[];
  functionUrls: FunctionUrlTrigger[];
  cmqTriggers: CmqTrigger[];
  timers: TimerTrigger[];
}

/** The SCF default number of retries of a failed asynchronous invocation. */
export const DEFAULT_RETRY_NUM = 2;

type Json = Record<string, unknown>;

function asObject(value: unknown, where: string): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`serverless.yml: ${where} must be a map`);
  }
  return value as Json;
}

function asString(value: unknown, where: string): string {
  if (typeof value !== "string" || value.length === 0)
    throw new Error(`serverless.yml: ${where} must be a non-empty string`);
  return value;
}

function asNumber(value: unknown, fallback: number, where: string): number {
  if (value === undefined) return fallback;
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number))
    throw new Error(`serverless.yml: ${where} must be a number`);
  return number;
}

/**
 * Replaces `${env:NAME}`, `${name}`, `${stage}` and `${app}` in every string.
 * A variable with no value becomes "", as the Tencent CLI leaves it empty.
 */
function resolveVariables(
  value: unknown,
  vars: Record<string, string>,
  env: Record<string, string | undefined>,
): unknown {
  if (typeof value === "string") {
    return value.replace(
      /\$\{(env:)?([A-Za-z0-9_]+)\}/g,
      (_, isEnv: string | undefined, name: string) =>
        isEnv ? (env[name] ?? "") : (vars[name] ?? ""),
    );
  }
  if (Array.isArray(value))
    return value.map((item) => resolveVariables(item, vars, env));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        resolveVariables(item, vars, env),
      ]),
    );
  }
  return value;
}

function environmentOf(list: unknown, where: string): Record<string, string> {
  if (list === undefined) return {};
  if (!Array.isArray(list))
    throw new Error(`serverless.yml: ${where} must be a list of {key, value}`);
  const environment: Record<string, string> = {};
  list.forEach((entry, index) => {
    const item = asObject(entry, `${where}[${index}]`);
    environment[asString(item.key, `${where}[${index}].key`)] =
      item.value === undefined ? "" : String(item.value);
  });
  return environment;
}

function functionOf(key: string, raw: Json, defaults: Json): FunctionConfig {
  const handler = asString(
    raw.handler ?? "index.main_handler",
    `functions.${key}.handler`,
  );
  const dot = handler.lastIndexOf(".");
  if (dot <= 0)
    throw new Error(
      `serverless.yml: functions.${key}.handler must look like file.export, not "${handler}"`,
    );
  // multi-scf replaces, not merges, the top-level environments with a
  // function's own list.
  const environments = raw.environments ?? defaults.environments;
  const folder = typeof raw.src === "string" ? raw.src : "";
  return {
    key,
    handlerFile: posix.join(folder, handler.slice(0, dot)),
    handlerExport: handler.slice(dot + 1),
    timeoutSeconds: asNumber(
      raw.timeout ?? defaults.timeout,
      3,
      `functions.${key}.timeout`,
    ),
    memorySize: asNumber(
      raw.memorySize ?? defaults.memorySize,
      128,
      `functions.${key}.memorySize`,
    ),
    retryNum: asNumber(
      raw.retryNum ?? defaults.retryNum,
      DEFAULT_RETRY_NUM,
      `functions.${key}.retryNum`,
    ),
    environment: environmentOf(environments, `functions.${key}.environments`),
  };
}

/**
 * Loads a multi-scf `serverless.yml` for the emulator: functions, HTTP
 * routes, CMQ topic triggers and timers, with variables resolved from `env`.
 */
export function loadServerlessConfig(
  file: string,
  env: Record<string, string | undefined> = process.env,
): ServerlessConfig {
  const path = resolve(file);
  const document = asObject(parse(readFileSync(path, "utf8")), "the document");
  const vars = {
    name: String(document.name ?? ""),
    stage: String(document.stage ?? "dev"),
    app: String(document.app ?? document.name ?? ""),
  };
  const resolved = asObject(
    resolveVariables(document, vars, env),
    "the document",
  );
  const inputs = asObject(resolved.inputs, "inputs");
  const src =
    typeof inputs.src === "string"
      ? inputs.src
      : asObject(inputs.src ?? {}, "inputs.src").src;

  const functions = new Map<string, FunctionConfig>();
  for (const [key, raw] of Object.entries(
    asObject(inputs.functions, "inputs.functions"),
  )) {
    functions.set(
      key,
      functionOf(key, asObject(raw, `functions.${key}`), inputs),
    );
  }

  const config: ServerlessConfig = {
    file: path,
    app: String(resolved.app ?? vars.app),
    stage: String(resolved.stage || "dev"),
    name: String(resolved.name ?? ""),
    region: String(inputs.region ?? "ap-guangzhou"),
    srcDir: resolve(dirname(path), String(src ?? ".")),
    functions,
    routes: [],
    functionUrls: [],
    cmqTriggers: [],
    timers: [],
  };
  readTriggers(inputs.triggers, config);
  return config;
}

function requireFunction(
  config: ServerlessConfig,
  key: unknown,
  where: string,
): string {
  const name = asString(key, where);
  if (!config.functions.has(name))
    throw new Error(
      `serverless.yml: ${where} names function "${name}", which is not defined`,
    );
  return name;
}

function readTriggers(triggers: unknown, config: ServerlessConfig): void {
  if (triggers === undefined) return;
  if (!Array.isArray(triggers))
    throw new Error("serverless.yml: inputs.triggers must be a list");

  triggers.forEach((entry, index) => {
    const where = `triggers[${index}]`;
    const trigger = asObject(entry, where);
    const parameters = asObject(
      trigger.parameters ?? {},
      `${where}.parameters`,
    );
    switch (trigger.type) {
      case "apigw": {
        const apis = Array.isArray(parameters.apis) ? parameters.apis : [];
        apis.forEach((api, apiIndex) => {
          const item = asObject(api, `${where}.parameters.apis[${apiIndex}]`);
          config.routes.push({
            method: asString(
              item.method ?? "GET",
              `${where}.apis[${apiIndex}].method`,
            ).toUpperCase(),
            path: asString(item.path, `${where}.apis[${apiIndex}].path`),
            functionKey: requireFunction(
              config,
              item.function ?? trigger.function,
              `${where}.apis[${apiIndex}].function`,
            ),
            serviceName: String(parameters.name ?? "serverless"),
            shape: "apigw",
          });
        });
        break;
      }
      case "http":
        config.functionUrls.push({
          functionKey: requireFunction(
            config,
            trigger.function,
            `${where}.function`,
          ),
        });
        break;
      case "cmq":
        config.cmqTriggers.push({
          functionKey: requireFunction(
            config,
            trigger.function,
            `${where}.function`,
          ),
          topicName: asString(parameters.name, `${where}.parameters.name`),
          filterTags: Array.isArray(parameters.filterKey)
            ? parameters.filterKey.map(String)
            : [],
          enabled: parameters.enable === true,
        });
        break;
      case "timer":
        config.timers.push({
          functionKey: requireFunction(
            config,
            trigger.function,
            `${where}.function`,
          ),
          name: asString(
            parameters.name ?? `timer-${index}`,
            `${where}.parameters.name`,
          ),
          cronExpression: asString(
            parameters.cronExpression,
            `${where}.parameters.cronExpression`,
          ),
          argument:
            parameters.argument === undefined
              ? undefined
              : String(parameters.argument),
          enabled: parameters.enable === true,
        });
        break;
      default:
        // Other trigger types (COS, CLS, CKafka) have no local source yet.
        break;
    }
  });
}

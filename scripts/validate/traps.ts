import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { error, type KeyPath, type Problem, warning } from "./problem";
import { HANDLER } from "./schema";
import { closestMatch } from "./suggest";
import { containsVariable } from "./variables";

/*
 * Checks for settings that pass the schema but do not do what they appear
 * to do once the multi-scf component (tencent-multi-scf src/formatter.ts)
 * and its deploy library (tencent-component-toolkit) have processed them.
 * Each check reads the raw document defensively, so all of them run even
 * when the schema check found errors.
 */

type Json = Record<string, unknown>;

export interface TrapOptions {
  /** Directory the `src` paths are relative to: the serverless.yml folder. */
  baseDir: string;
  /** Checks that every handler file exists in the build. */
  checkBuild: boolean;
  /** Looks for handler files here instead of in `inputs.src`. */
  buildDir?: string;
}

/** Trigger types whose toolkit code sends `Enable: enable ? 'OPEN' : 'CLOSE'`. */
const ENABLE_DEFAULTS_OFF = new Set([
  "cmq",
  "ckafka",
  "timer",
  "cos",
  "cls",
  "mps",
]);

/** The component's default runtime (tencent-multi-scf src/config.ts). */
const DEFAULT_RUNTIME = "Nodejs12.16";

export function checkTraps(document: unknown, options: TrapOptions): Problem[] {
  const inputs = asRecord(asRecord(document)?.inputs);
  if (!inputs) return [];
  return [
    ...checkDisabledTriggers(inputs),
    ...checkLegacyEnvironment(inputs),
    ...checkTriggerFunctions(inputs),
    ...(options.checkBuild ? checkHandlerFiles(inputs, options) : []),
    ...checkTopicSubscribers(inputs),
    ...checkAsyncSettings(inputs),
    ...checkApigwIgnoredKeys(inputs),
    ...checkFunctionUrlNetwork(inputs),
  ];
}

function checkDisabledTriggers(inputs: Json): Problem[] {
  return triggers(inputs).flatMap(({ trigger, path }) => {
    const type = trigger.type;
    const parameters = asRecord(trigger.parameters);
    if (typeof type !== "string" || !ENABLE_DEFAULTS_OFF.has(type)) return [];
    if (!parameters || parameters.enable !== undefined) return [];
    const name =
      typeof parameters.name === "string" ? ` "${parameters.name}"` : "";
    return [
      error(
        "trigger-disabled",
        [...path, "parameters"],
        `the ${type} trigger${name} has no "enable: true", so SCF creates it disabled and it never invokes the function.`,
        'Add "enable: true" to its parameters.',
        { atKey: true },
      ),
    ];
  });
}

function checkLegacyEnvironment(inputs: Json): Problem[] {
  return functionLevels(inputs).flatMap(({ settings, path }) => {
    if (settings.environment === undefined) return [];
    const variables = asRecord(asRecord(settings.environment)?.variables);
    const names = variables ? Object.keys(variables) : [];
    const listed = names.length > 0 ? ` (${names.join(", ")})` : "";
    return [
      error(
        "environment-ignored",
        [...path, "environment"],
        `"environment" is ignored: the multi-scf component rebuilds every function's environment from "environments" (empty by default), so these variables${listed} never reach the function.`,
        "Move them to environments as a list of {key, value} items, such as environments: [{key: LOG_LEVEL, value: info}].",
        { atKey: true },
      ),
    ];
  });
}

function checkTriggerFunctions(inputs: Json): Problem[] {
  const functions = asRecord(inputs.functions);
  if (!functions) return [];
  const known = Object.keys(functions);
  const problems: Problem[] = [];
  const report = (key: unknown, path: KeyPath) => {
    if (typeof key !== "string" || key === "" || containsVariable(key)) return;
    if (known.includes(key)) return;
    const suggestion = closestMatch(key, known);
    problems.push(
      error(
        "unknown-function",
        path,
        `function "${key}" is not defined in inputs.functions (defined: ${known.join(", ") || "none"}); the component stops the deploy with "Function ${key} not in deploy list".`,
        suggestion === undefined
          ? "Use a key of inputs.functions, or add the function."
          : `Did you mean "${suggestion}"? Use a key of inputs.functions.`,
      ),
    );
  };
  for (const { trigger, path } of triggers(inputs)) {
    if (trigger.type === "apigw") {
      const apis = asArray(asRecord(trigger.parameters)?.apis) ?? [];
      apis.forEach((api, index) =>
        report(asRecord(api)?.function, [
          ...path,
          "parameters",
          "apis",
          index,
          "function",
        ]),
      );
    } else {
      report(trigger.function, [...path, "function"]);
    }
  }
  return problems;
}

function checkHandlerFiles(inputs: Json, options: TrapOptions): Problem[] {
  const functions = asRecord(inputs.functions);
  const srcDir = codeDirectory(inputs, options);
  if (!functions || srcDir === undefined) return [];
  const shownDir = relative(process.cwd(), srcDir) || ".";

  const problems: Problem[] = [];
  for (const [key, raw] of Object.entries(functions)) {
    const settings = asRecord(raw);
    if (!settings) continue;
    const type = settings.type ?? inputs.type;
    const runtime = settings.runtime ?? inputs.runtime ?? DEFAULT_RUNTIME;
    // Web functions start from scf_bootstrap, image functions from the image.
    if (type === "web" || settings.image !== undefined) continue;
    // NOTE: only Node.js handlers (file.js) are checked.
    if (typeof runtime !== "string" || !runtime.startsWith("Nodejs")) continue;
    const handler = settings.handler;
    if (typeof handler !== "string" || containsVariable(handler)) continue;
    const match = HANDLER.exec(handler);
    if (!match) continue;
    const subdirectory =
      typeof settings.src === "string" && !containsVariable(settings.src)
        ? settings.src
        : "";
    const file = join(srcDir, subdirectory, `${match[1]}.js`);
    if (existsSync(file)) continue;

    const shownFile = relative(process.cwd(), file);
    const missingDir = !existsSync(srcDir);
    problems.push(
      error(
        "handler-file-missing",
        ["inputs", "functions", key, "handler"],
        missingDir
          ? `the code directory ${shownDir} does not exist, so handler "${handler}" has no file ${shownFile}.`
          : `handler "${handler}" needs ${shownFile}, which is not in the build.`,
        `Run "npm run build" to bundle the functions into ${shownDir}, or correct the handler path. Pass --no-build-check to skip this check.`,
      ),
    );
  }
  return problems;
}

/** Resolves the code package directory, or undefined when it is not local. */
function codeDirectory(inputs: Json, options: TrapOptions): string | undefined {
  if (options.buildDir !== undefined) return resolve(options.buildDir);
  const src = inputs.src;
  const directory = typeof src === "string" ? src : asRecord(src)?.src;
  // `{bucket, object}` deploys code already in COS.
  if (typeof directory !== "string" || containsVariable(directory))
    return undefined;
  return resolve(options.baseDir, directory);
}

function checkTopicSubscribers(inputs: Json): Problem[] {
  const subscribed = new Set<string>();
  for (const { trigger } of triggers(inputs)) {
    const name = asRecord(trigger.parameters)?.name;
    if (trigger.type === "cmq" && typeof name === "string")
      subscribed.add(name);
  }

  const problems: Problem[] = [];
  for (const { settings, path } of functionLevels(inputs)) {
    const list = asArray(settings.environments) ?? [];
    list.forEach((entry, index) => {
      const item = asRecord(entry);
      const key = item?.key;
      const topic = item?.value;
      if (typeof key !== "string" || !key.endsWith("_TOPIC")) return;
      if (typeof topic !== "string" || topic === "" || containsVariable(topic))
        return;
      if (subscribed.has(topic)) return;
      problems.push(
        error(
          "topic-without-subscriber",
          [...path, "environments", index, "value"],
          `${key} names CMQ topic "${topic}", but no cmq trigger subscribes a function to it, so messages published there are never consumed.`,
          `Add a cmq trigger with parameters.name: ${topic} and enable: true, or correct the topic name.`,
        ),
      );
    });
  }
  return problems;
}

function checkAsyncSettings(inputs: Json): Problem[] {
  const functions = asRecord(inputs.functions) ?? {};
  const problems: Problem[] = [];
  const asyncRun = (settings: Json) =>
    settings.asyncRunEnable ?? inputs.asyncRunEnable;
  const applied = (value: unknown) => value === true || containsVariable(value);

  // Settings under `inputs` reach every function through the formatter's spread.
  for (const key of ["retryNum", "msgTTL"] as const) {
    if (inputs[key] === undefined) continue;
    const ignoredBy = Object.entries(functions)
      .filter(([, raw]) => {
        const settings = asRecord(raw) ?? {};
        return settings[key] === undefined && !applied(asyncRun(settings));
      })
      .map(([name]) => name);
    if (ignoredBy.length > 0) {
      problems.push(asyncProblem(["inputs", key], key, inputs[key], ignoredBy));
    }
  }

  const inheritsAsyncRunWithoutCls = Object.values(functions).some((raw) => {
    const settings = asRecord(raw) ?? {};
    return settings.asyncRunEnable === undefined && settings.cls === undefined;
  });
  if (
    inputs.asyncRunEnable === true &&
    inputs.cls === undefined &&
    inheritsAsyncRunWithoutCls
  ) {
    problems.push(clsWarning(["inputs", "asyncRunEnable"]));
  }

  for (const [name, raw] of Object.entries(functions)) {
    const settings = asRecord(raw);
    if (!settings) continue;
    for (const key of ["retryNum", "msgTTL"] as const) {
      if (settings[key] === undefined || applied(asyncRun(settings))) continue;
      problems.push(
        asyncProblem(["inputs", "functions", name, key], key, settings[key], [
          name,
        ]),
      );
    }
    const cls = settings.cls ?? inputs.cls;
    if (settings.asyncRunEnable === true && cls === undefined) {
      problems.push(
        clsWarning(["inputs", "functions", name, "asyncRunEnable"]),
      );
    }
  }
  return problems;
}

function clsWarning(path: KeyPath): Problem {
  return warning(
    "async-run-without-cls",
    path,
    "asyncRunEnable is true but no cls is set; the multi-scf docs (docs/configure.md) require cls when asyncRunEnable is true.",
    "Add cls: {logsetId, topicId} to the function or to inputs.",
    { atKey: true },
  );
}

/**
 * Defaults of the asynchronous invocation settings, from the multi-scf docs
 * (docs/configure.md) and the toolkit's updateAsyncRetry.
 */
const ASYNC_DEFAULTS = { retryNum: 2, msgTTL: 21600 } as const;

/**
 * Reports a retryNum or msgTTL that is never sent. It is an error when the
 * value differs from the default SCF applies instead, and a warning when it
 * equals that default, because the function then behaves as written.
 */
function asyncProblem(
  path: KeyPath,
  key: keyof typeof ASYNC_DEFAULTS,
  value: unknown,
  functions: string[],
): Problem {
  const message = `${key} is not applied to ${functions.join(", ")}: the deploy library sends it to SCF (UpdateFunctionEventInvokeConfig) only for functions with asyncRunEnable: true.`;
  const fix = `Set asyncRunEnable: true on the function, or remove ${key}.`;
  if (value === ASYNC_DEFAULTS[key]) {
    return warning(
      "async-config-ignored",
      path,
      `${message} SCF uses its default ${ASYNC_DEFAULTS[key]}, which equals this value.`,
      fix,
      { atKey: true },
    );
  }
  return error(
    "async-config-ignored",
    path,
    `${message} SCF uses its default ${ASYNC_DEFAULTS[key]} instead.`,
    fix,
    { atKey: true },
  );
}

function checkApigwIgnoredKeys(inputs: Json): Problem[] {
  const problems: Problem[] = [];
  for (const { trigger, path } of triggers(inputs)) {
    if (trigger.type !== "apigw") continue;
    const parameters = asRecord(trigger.parameters);
    if (!parameters) continue;
    const pairs = [
      ["serviceName", "name"],
      ["serviceId", "id"],
    ] as const;
    for (const [ignored, read] of pairs) {
      if (parameters[ignored] === undefined) continue;
      problems.push(
        error(
          "apigw-key-ignored",
          [...path, "parameters", ignored],
          `${ignored} is ignored: the multi-scf formatter overwrites it with parameters.${read}.`,
          parameters[read] === undefined
            ? `Rename ${ignored} to ${read}.`
            : `Remove ${ignored}; parameters.${read} already sets it.`,
          { atKey: true },
        ),
      );
    }
  }
  return problems;
}

function checkFunctionUrlNetwork(inputs: Json): Problem[] {
  return triggers(inputs).flatMap(({ trigger, path }) => {
    if (trigger.type !== "http") return [];
    const netConfig = asRecord(asRecord(trigger.parameters)?.netConfig) ?? {};
    const enabled = (value: unknown) =>
      value === true || containsVariable(value);
    if (enabled(netConfig.enableExtranet) || enabled(netConfig.enableIntranet))
      return [];
    return [
      error(
        "function-url-no-network",
        path,
        "the http trigger (Function URL) enables no network: the deploy library sends EnableExtranet and EnableIntranet as false unless parameters.netConfig sets them.",
        "Add parameters.netConfig.enableExtranet: true for a public URL (or enableIntranet: true for VPC access only).",
      ),
    ];
  });
}

interface TriggerAt {
  trigger: Json;
  path: KeyPath;
}

function triggers(inputs: Json): TriggerAt[] {
  const list = asArray(inputs.triggers) ?? [];
  const found: TriggerAt[] = [];
  list.forEach((entry, index) => {
    const trigger = asRecord(entry);
    if (trigger) found.push({ trigger, path: ["inputs", "triggers", index] });
  });
  return found;
}

interface SettingsAt {
  settings: Json;
  path: KeyPath;
}

/** `inputs` itself and each function: the levels that take function settings. */
function functionLevels(inputs: Json): SettingsAt[] {
  const levels: SettingsAt[] = [{ settings: inputs, path: ["inputs"] }];
  for (const [key, raw] of Object.entries(asRecord(inputs.functions) ?? {})) {
    const settings = asRecord(raw);
    if (settings) levels.push({ settings, path: ["inputs", "functions", key] });
  }
  return levels;
}

function asRecord(value: unknown): Json | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

function asArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

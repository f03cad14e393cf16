import { dirname } from "node:path";
import {
  credentialsFromEnv,
  MissingCredentialsError,
  type TencentCredentials,
} from "./credentials";
import {
  type FunctionName,
  functionNameProblems,
  functionNames,
} from "./function-names";
import { maskSecret } from "./mask";
import {
  envReferences,
  readServerlessFile,
  resolveEnvReferences,
  toObject,
} from "./serverless-file";
import {
  checkVariables,
  MIGRATE_DATABASE_URL,
  maskValue,
  ruleFor,
} from "./variables";

/**
 * The Tencent deploy CLI, pinned. Serverless Framework v3 and v4 no longer
 * deploy Tencent components (v3 prints a pointer to `components` and exits
 * 0), so the deploy runs `@serverless/components` in Tencent mode.
 */
export const COMPONENTS_PACKAGE = "@serverless/components@3.18.2";

export type StepName = "build" | "validate" | "migrate" | "deploy";

/** One command of a deploy. */
export interface DeployStep {
  name: StepName;
  command: string;
  args: string[];
  cwd: string;
  /** Variables set on top of this process's environment. */
  env: Record<string, string>;
  /** The same variables with secrets masked, for printing. */
  shownEnv: Record<string, string>;
}

export interface DeployPlan {
  stage: string;
  configFile: string;
  functions: FunctionName[];
  steps: DeployStep[];
  /** serverless.yml with its variables resolved and secrets masked. */
  resolvedConfig: string;
}

export interface DeployOptions {
  /** The project root, where package.json and its npm scripts are. */
  root: string;
  configFile: string;
  /** The stage from --stage. When unset, STAGE and then "dev" apply. */
  stage?: string;
}

/** Either a plan, or every problem that stops the deploy before it starts. */
export type PlanResult =
  { ok: true; plan: DeployPlan } | { ok: false; problems: string[] };

function credentialsOrProblem(
  env: NodeJS.ProcessEnv,
  problems: string[],
): TencentCredentials | undefined {
  try {
    return credentialsFromEnv(env);
  } catch (error) {
    if (!(error instanceof MissingCredentialsError)) throw error;
    problems.push(error.message);
    return undefined;
  }
}

function maskEnv(env: Record<string, string>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    shown[name] = name.startsWith("TENCENT_")
      ? value && maskSecret(value)
      : maskValue(ruleFor(name), value);
  }
  return shown;
}

function step(
  name: StepName,
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): DeployStep {
  return { name, command, args, cwd, env, shownEnv: maskEnv(env) };
}

/**
 * Checks everything a deploy needs before anything runs: credentials, every
 * `${env:NAME}` serverless.yml references, and the SCF function names the
 * stage produces. Returns the steps (build, validate, migrate, deploy) or
 * all problems found.
 */
export function planDeploy(
  options: DeployOptions,
  env: NodeJS.ProcessEnv,
): PlanResult {
  const file = readServerlessFile(options.configFile);
  const stage = options.stage ?? (env.STAGE || "dev");
  const problems: string[] = [];

  const rules = [...new Set(["STAGE", ...envReferences(file)])].map(ruleFor);
  const checked = checkVariables([...rules, MIGRATE_DATABASE_URL], {
    ...env,
    STAGE: stage,
  });
  problems.push(...checked.problems);
  const credentials = credentialsOrProblem(env, problems);

  const values = { ...checked.values };
  const migrateUrl = values.MIGRATE_DATABASE_URL || values.DATABASE_URL;
  delete values.MIGRATE_DATABASE_URL;

  const resolved = toObject(resolveEnvReferences(file.document, values));
  const functions = functionNames(resolved, stage);
  problems.push(...functionNameProblems(functions));

  if (problems.length > 0 || !credentials) return { ok: false, problems };

  const maskedValues: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    maskedValues[name] = maskValue(ruleFor(name), value);
  }
  const resolvedConfig = String(
    resolveEnvReferences(file.document, maskedValues),
  );

  const root = options.root;
  const steps: DeployStep[] = [
    step("build", "npm", ["run", "build"], root, {}),
    step("validate", "npm", ["run", "validate", "--", file.path], root, values),
    step("migrate", "npm", ["run", "migrate"], root, {
      DATABASE_URL: migrateUrl ?? "",
    }),
    step(
      "deploy",
      "npx",
      ["--yes", COMPONENTS_PACKAGE, "deploy", "--stage", stage],
      dirname(file.path),
      {
        ...values,
        SERVERLESS_PLATFORM_VENDOR: "tencent",
        TENCENT_SECRET_ID: credentials.secretId,
        TENCENT_SECRET_KEY: credentials.secretKey,
        // "" clears a stale token from the caller's environment.
        TENCENT_TOKEN: credentials.token ?? "",
      },
    ),
  ];
  return {
    ok: true,
    plan: {
      stage,
      configFile: file.path,
      functions,
      steps,
      resolvedConfig,
    },
  };
}

import { mapOf } from "./serverless-file";

/**
 * SCF function name rule, from the multi-scf docs (docs/configure.md):
 * letters, digits, "_" and "-", starting with a letter, ending with a letter
 * or digit, 2 to 60 characters.
 */
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]*[A-Za-z0-9]$/;
const MAX_FUNCTION_NAME_LENGTH = 60;

/** A function key of serverless.yml and the SCF name a deploy gives it. */
export interface FunctionName {
  key: string;
  name: string;
}

/**
 * Returns the SCF name of every function, as multi-scf forms it:
 * the function's `name` when set, otherwise `${name}-${stage}-${app}-${key}`
 * (src/formatter.ts `formatScfName`; `app` defaults to `name`).
 */
export function functionNames(
  config: Record<string, unknown>,
  stage: string,
): FunctionName[] {
  const instanceName = String(config.name ?? "");
  const app = String(config.app ?? instanceName);
  const functions = mapOf(mapOf(config.inputs).functions);
  return Object.entries(functions).map(([key, raw]) => {
    const own = mapOf(raw).name;
    const name =
      typeof own === "string" && own.length > 0
        ? own
        : `${instanceName}-${stage}-${app}-${key}`;
    return { key, name };
  });
}

/** Lists each function name SCF would reject, with the reason. */
export function functionNameProblems(names: FunctionName[]): string[] {
  const problems: string[] = [];
  for (const { key, name } of names) {
    if (name.length > MAX_FUNCTION_NAME_LENGTH) {
      problems.push(
        `function ${key} would be named ${name}, ${name.length} characters, but SCF allows ${MAX_FUNCTION_NAME_LENGTH}. Use a shorter --stage or set functions.${key}.name`,
      );
    } else if (!FUNCTION_NAME.test(name)) {
      problems.push(
        `function ${key} would be named ${name}, but SCF names contain only letters, digits, "_" and "-", start with a letter and end with a letter or digit`,
      );
    }
  }
  return problems;
}

import { dirname, resolve } from "node:path";
import { checkSchema } from "./check-schema";
import { loadYaml, locate, readConfigFile } from "./load-yaml";
import type { Problem } from "./problem";
import { summarize, type Summary } from "./report";
import { checkTraps } from "./traps";
import { checkVariables } from "./variables";

export interface ValidateOptions {
  /** Checks that each handler file exists in the build (default true). */
  checkBuild?: boolean;
  /** Looks for handler files here instead of in `inputs.src`. */
  buildDir?: string;
}

export interface ValidationResult {
  /** Errors first, then warnings, each in file order. */
  problems: Problem[];
  /** Counts of functions and triggers; undefined when the YAML is invalid. */
  summary?: Summary;
}

/**
 * Validates a multi-scf serverless.yml file offline.
 * Throws ConfigFileError when the file is missing or unreadable.
 */
export function validateServerlessFile(
  file: string,
  options: ValidateOptions = {},
): ValidationResult {
  const source = readConfigFile(file);
  return validateServerlessSource(source, dirname(resolve(file)), options);
}

/**
 * Validates serverless.yml text. `baseDir` is the folder the file's
 * relative `src` paths start from.
 */
export function validateServerlessSource(
  source: string,
  baseDir: string,
  options: ValidateOptions = {},
): ValidationResult {
  const loaded = loadYaml(source);
  const syntaxErrors = loaded.problems.filter(
    (problem) => problem.severity === "error",
  );
  // A document with syntax errors parses into a guess; checking that guess
  // against the schema would report problems that are not in the file.
  if (syntaxErrors.length > 0)
    return { problems: sortProblems(loaded.problems) };

  const problems = [
    ...loaded.problems,
    ...checkSchema(loaded.value),
    ...checkVariables(loaded),
    ...checkTraps(loaded.value, {
      baseDir,
      checkBuild: options.checkBuild ?? true,
      buildDir: options.buildDir,
    }),
  ];
  for (const problem of problems) {
    if (problem.line !== undefined) continue;
    const position = locate(loaded, problem.path, problem.atKey);
    problem.line = position?.line;
    problem.column = position?.column;
  }
  return { problems: sortProblems(problems), summary: summarize(loaded.value) };
}

/** Returns the CLI's exit code for a result: 1 when any problem is an error, else 0. */
export function exitCode(result: ValidationResult): 0 | 1 {
  return result.problems.some((problem) => problem.severity === "error")
    ? 1
    : 0;
}

function sortProblems(problems: Problem[]): Problem[] {
  const rank = (problem: Problem) => (problem.severity === "error" ? 0 : 1);
  return [...problems].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.line ?? Infinity) - (b.line ?? Infinity) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}

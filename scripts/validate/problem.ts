/** A key path into the YAML document: map keys and sequence indexes. */
export type KeyPath = ReadonlyArray<string | number>;

/** The check that found a problem; printed with it so it can be searched. */
export type CheckId =
  | "yaml-syntax"
  | "schema"
  | "unknown-variable"
  | "trigger-disabled"
  | "environment-ignored"
  | "unknown-function"
  | "handler-file-missing"
  | "topic-without-subscriber"
  | "async-config-ignored"
  | "apigw-key-ignored"
  | "function-url-no-network"
  | "async-run-without-cls";

/** Errors fail validation; warnings are printed but keep the exit code 0. */
export type Severity = "error" | "warning";

export interface Problem {
  check: CheckId;
  severity: Severity;
  /** Location as a key path, such as `inputs.triggers[2]`. */
  path: KeyPath;
  /** Description of what is wrong, as a sentence. */
  message: string;
  /** Suggested fix, as a sentence. */
  fix: string;
  /** Points the location at the key itself rather than at its value. */
  atKey?: boolean;
  /** 1-based position, filled in from the YAML document when it has one. */
  line?: number;
  column?: number;
}

/** Builds an error-level problem. */
export function error(
  check: CheckId,
  path: KeyPath,
  message: string,
  fix: string,
  extra: Partial<Problem> = {},
): Problem {
  return { check, severity: "error", path, message, fix, ...extra };
}

/** Builds a warning-level problem. */
export function warning(
  check: CheckId,
  path: KeyPath,
  message: string,
  fix: string,
  extra: Partial<Problem> = {},
): Problem {
  return { check, severity: "warning", path, message, fix, ...extra };
}

/**
 * Formats a key path as `inputs.triggers[2].parameters.cronExpression`.
 * Keys containing dots, spaces or brackets are written as `["a.b"]`.
 */
export function formatKeyPath(path: KeyPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") {
      text += `[${segment}]`;
    } else if (/^[^.\s[\]"]+$/.test(segment)) {
      text += text === "" ? segment : `.${segment}`;
    } else {
      text += `[${JSON.stringify(segment)}]`;
    }
  }
  return text === "" ? "(document)" : text;
}

import { formatKeyPath, type Problem } from "./problem";

export interface Summary {
  functions: number;
  /** Trigger entries per type, in first-seen order. */
  triggers: Map<string, number>;
  /** APIs across all apigw triggers. */
  apis: number;
}

/** Counts functions, triggers and apigw APIs of a parsed document. */
export function summarize(document: unknown): Summary {
  const inputs = record(record(document)?.inputs);
  const functions = record(inputs?.functions);
  const summary: Summary = {
    functions: functions ? Object.keys(functions).length : 0,
    triggers: new Map(),
    apis: 0,
  };
  const triggers = Array.isArray(inputs?.triggers) ? inputs.triggers : [];
  for (const entry of triggers) {
    const trigger = record(entry);
    const type = typeof trigger?.type === "string" ? trigger.type : "unknown";
    summary.triggers.set(type, (summary.triggers.get(type) ?? 0) + 1);
    const apis = record(trigger?.parameters)?.apis;
    if (type === "apigw" && Array.isArray(apis)) summary.apis += apis.length;
  }
  return summary;
}

/**
 * Formats one problem as
 * `file:line:column: error: key.path [check]` and indented lines for what
 * is wrong and what to do.
 */
export function formatProblem(file: string, problem: Problem): string {
  const location =
    problem.line === undefined
      ? file
      : `${file}:${problem.line}:${problem.column ?? 1}`;
  return [
    `${location}: ${problem.severity}: ${formatKeyPath(problem.path)} [${problem.check}]`,
    `  ${problem.message}`,
    `  ${problem.fix}`,
  ].join("\n");
}

/**
 * Formats the whole report: every problem, then one summary line, which
 * starts with "<file>: valid" when no problem is an error.
 */
export function formatReport(
  file: string,
  problems: Problem[],
  summary: Summary | undefined,
): string {
  const errors = problems.filter((problem) => problem.severity === "error");
  const warnings = problems.length - errors.length;
  const lines = problems.map((problem) => formatProblem(file, problem));
  const warningText = warnings === 0 ? "" : `, ${plural(warnings, "warning")}`;

  if (errors.length > 0) {
    lines.push(`${file}: ${plural(errors.length, "error")}${warningText}`);
  } else {
    lines.push(`${file}: valid, ${describeSummary(summary)}${warningText}`);
  }
  return `${lines.join("\n\n")}\n`;
}

function describeSummary(summary: Summary | undefined): string {
  if (!summary) return "";
  const total = [...summary.triggers.values()].reduce((a, b) => a + b, 0);
  const types = [...summary.triggers.entries()].map(([type, count]) =>
    type === "apigw"
      ? `${count} apigw with ${plural(summary.apis, "API")}`
      : `${count} ${type}`,
  );
  const detail = types.length > 0 ? ` (${types.join(", ")})` : "";
  return `${plural(summary.functions, "function")}, ${plural(total, "trigger")}${detail}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
